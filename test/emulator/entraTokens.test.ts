/**
 * The opt-in Microsoft Entra mode: REST calls with a non-HS256 bearer JWT pass when its aud is the Web PubSub
 * resource and it is unexpired; without the option such tokens stay refused, as before.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { uniqueName } from '../helpers/names.js';

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let strict: Emulator;
let entra: Emulator;

beforeAll(async () => {
  ({ privateKey } = await generateKeyPair('RS256'));
  [strict, entra] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0, acceptEntraTokens: true })]);
});
afterAll(() => Promise.all([strict.close(), entra.close()]));

/** An RS256 token shaped like Entra's access tokens. */
function entraToken({ aud = 'https://webpubsub.azure.com', exp = '1h' as string | number } = {}): Promise<string> {
  return new SignJWT({ oid: 'object-id', tid: 'tenant' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('https://sts.windows.net/tenant/')
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);
}

async function send(emulator: Emulator, token: string) {
  const response = await request(`${emulator.endpoint}/api/hubs/${uniqueName()}/:send?api-version=2024-12-01`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
    body: 'hi',
  });
  const body = await response.body.text();
  return { status: response.statusCode, message: body ? (JSON.parse(body) as { message: string }).message : '' };
}

describe('with acceptEntraTokens: true', () => {
  test.each(['https://webpubsub.azure.com', 'https://webpubsub.azure.cn', 'https://webpubsub.azure.com/'])(
    'an unexpired token for %s is accepted',
    async (aud) => {
      expect((await send(entra, await entraToken({ aud }))).status).toBe(202);
    },
  );

  test.each([
    ['another audience', () => entraToken({ aud: 'https://management.azure.com' }), 'aud must be the Web PubSub resource'],
    ['an expired token', () => entraToken({ exp: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
  ])('%s is refused with 401', async (_what, token, reason) => {
    const answer = await send(entra, await token());
    expect(answer.status).toBe(401);
    expect(answer.message).toContain(reason);
  });

  test('access-key tokens still work', async () => {
    const { WebPubSubServiceClient } = await import('../../shared/index.js');
    const client = new WebPubSubServiceClient(entra.connectionString, uniqueName(), { retry: { maxRetries: 0 } });
    await client.sendToAll({ ok: true });
    await client.close();
  });
});

test('without the option an Entra token is refused, and the message names the option', async () => {
  const answer = await send(strict, await entraToken());
  expect(answer.status).toBe(401);
  expect(answer.message).toContain('acceptEntraTokens: true');
});

test('the option must be a boolean', () => {
  expect(() => startEmulator({ acceptEntraTokens: 'yes' as never })).toThrow('options.acceptEntraTokens must be a boolean');
});
