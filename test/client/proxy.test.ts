/**
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured by default, as the official SDK honours them: a runner behind a
 * corporate proxy reaches the service through it. A loopback proxy records what passes through it; the emulator
 * and a WebSocket subscriber on the other side show the message arrived.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient as OfficialServiceClient } from '@azure/web-pubsub';
import { Pool } from 'undici';
import { AzureKeyCredential, WebPubSubServiceClient, type WebPubSubClientOptions } from '../../shared/index.js';
import { startProxyServer, type ProxyServer } from '../helpers/proxyServer.js';
import { useEmulator } from '../helpers/hubFixture.js';

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
const scope = useEmulator();
let proxy: ProxyServer;
const clients: { close(): Promise<void> }[] = [];

beforeAll(async () => void (proxy = await startProxyServer()));
afterAll(() => proxy.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const name of PROXY_VARIABLES) delete process.env[name];
  proxy.requests.length = 0;
});

function client(hub: string, options: WebPubSubClientOptions = {}) {
  const created = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off', ...options });
  clients.push(created);
  return created;
}

const proxyWithCredentials = () => proxy.url.replace('http://', 'http://build-agent:s3cret@');

describe('environment proxies', () => {
  test('HTTP_PROXY carries requests to an http endpoint as absolute-form requests, with the proxy credentials', async () => {
    const fixture = scope.fixture();
    const { socket } = await fixture.connect();
    process.env.HTTP_PROXY = proxyWithCredentials();
    await client(fixture.hub).sendToAll({ version: 'v1.4.2' });
    expect(await socket.jsonWhere((frame) => frame.type === 'message')).toMatchObject({ data: { version: 'v1.4.2' } });
    expect(proxy.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        target: `${scope.emulator.endpoint}/api/hubs/${fixture.hub}/:send?api-version=2024-12-01`,
        headers: expect.objectContaining({ 'proxy-authorization': `Basic ${Buffer.from('build-agent:s3cret').toString('base64')}` }),
      }),
    ]);
  });

  test('the official SDK sends the same request line through the same proxy', async () => {
    const fixture = scope.fixture();
    process.env.HTTP_PROXY = proxy.url;
    await client(fixture.hub).sendToGroup('ops', 'ours');
    const official = new OfficialServiceClient(scope.emulator.connectionString, fixture.hub, { allowInsecureConnection: true });
    await official.group('ops').sendToAll('theirs');
    expect(proxy.requests).toHaveLength(2);
    const [ours, theirs] = proxy.requests;
    expect([ours?.method, ours?.target]).toEqual([theirs?.method, theirs?.target]);
  });

  test('NO_PROXY keeps the endpoint direct', async () => {
    const fixture = scope.fixture();
    const { socket } = await fixture.connect();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = 'localhost,127.0.0.1';
    await client(fixture.hub).sendToAll('direct');
    expect(await socket.jsonWhere((frame) => frame.type === 'message')).toMatchObject({ data: 'direct' });
    expect(proxy.requests).toEqual([]);
  });

  test('HTTPS_PROXY opens a CONNECT tunnel for an https endpoint; the token never reaches the proxy', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    const remote = new WebPubSubServiceClient('https://contoso.webpubsub.azure.com', new AzureKeyCredential('tunnel-key'), 'hub', {
      retry: { maxRetries: 0 },
      logLevel: 'off',
    });
    clients.push(remote);
    // The stand-in proxy has no network, so it answers 502 after recording the tunnel request.
    await expect(remote.sendToAll('x')).rejects.toMatchObject({ name: 'WebPubSubConnectionError' });
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'CONNECT', target: 'contoso.webpubsub.azure.com:443' })]);
    expect(JSON.stringify(proxy.requests)).not.toMatch(/Bearer|eyJ/);
  });

  test('HTTPS_PROXY alone leaves an http endpoint direct', async () => {
    const fixture = scope.fixture();
    process.env.HTTPS_PROXY = proxy.url;
    await client(fixture.hub).sendToAll('x');
    expect(proxy.requests).toEqual([]);
  });

  test('a dispatcher passed in is used as given, proxy variables or not', async () => {
    const fixture = scope.fixture();
    process.env.HTTP_PROXY = proxy.url;
    const pool = new Pool(scope.emulator.endpoint);
    clients.push(pool);
    await client(fixture.hub, { dispatcher: pool }).sendToAll('x');
    expect(proxy.requests).toEqual([]);
  });
});
