/**
 * Keep-alive as the official `@azure/web-pubsub-client` runs it: every `keepAliveIntervalInMs` it sends
 * `{"type":"ping"}`, and when nothing arrives for `keepAliveTimeoutInMs` it drops the connection. The emulator
 * answers each ping with `{"type":"pong"}`, as the service does, so a quiet connection stays up. The intervals here
 * are short; the test waits for pongs, not for time.
 */
import { describe, expect, test } from '@jest/globals';
import { WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol, type WebPubSubClientProtocol } from '@azure/web-pubsub-client';
import { useEmulator } from '../helpers/hubFixture.js';
import { until } from '../helpers/inbox.js';
import { startOfficialClient } from '../helpers/officialClient.js';

const env = useEmulator();

/** The official protocol, counting the pongs the client parses. */
function countingPongs(protocol: WebPubSubClientProtocol): { protocol: WebPubSubClientProtocol; pongs: () => number } {
  let pongs = 0;
  const counting: WebPubSubClientProtocol = {
    name: protocol.name,
    isReliableSubProtocol: protocol.isReliableSubProtocol,
    writeMessage: (message) => protocol.writeMessage(message),
    parseMessages(input) {
      const parsed = protocol.parseMessages(input);
      for (const message of Array.isArray(parsed) ? parsed : parsed ? [parsed] : []) if (message.kind === 'pong') pongs++;
      return parsed;
    },
  };
  return { protocol: counting, pongs: () => pongs };
}

describe.each([
  ['json.webpubsub.azure.v1', WebPubSubJsonProtocol],
  ['json.reliable.webpubsub.azure.v1', WebPubSubJsonReliableProtocol],
])('%s', (_name, makeProtocol) => {
  test('the client pings on its short interval, every ping is answered with a pong, and the quiet connection outlives several timeouts', async () => {
    const fixture = env.fixture();
    const { protocol, pongs } = countingPongs(makeProtocol());
    const { url } = await fixture.client.getClientAccessToken({ userId: 'quiet' });
    // A timeout of 300 ms, checked every 100 ms: without pongs the client would drop the connection within 400 ms.
    const observed = await startOfficialClient(url, { protocol, keepAliveIntervalInMs: 50, keepAliveTimeoutInMs: 300 });
    try {
      const connectionId = (await observed.connected.next()).connectionId;
      // Ten pongs span 500 ms or more, past the timeout, with nothing but pongs arriving.
      await until(() => pongs() >= 10, 'ten pongs');
      expect(observed.disconnected.size).toBe(0);
      expect(await fixture.client.connectionExists(connectionId)).toBe(true);
      await fixture.client.sendToUser('quiet', 'still here', { contentType: 'text/plain' });
      expect((await observed.serverMessages.next()).data).toBe('still here');
    } finally {
      await observed.stop();
    }
  });
});
