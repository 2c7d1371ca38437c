/**
 * Every kind of request stays on the client's keep-alive pool: sequential POSTs, HEADs, GETs and DELETEs against
 * the emulator over real sockets share one connection. (undici closes the socket after a HEAD unless the request
 * says otherwise; against the service each would be a TLS handshake.)
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { tallyRequests } from '../../bench/requestTally.js';
import { uniqueName } from '../helpers/names.js';

const CALLS = 20;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

describe('connection reuse', () => {
  test(`${CALLS} sequential calls of each kind share the connections the first sends opened`, async () => {
    const hub = uniqueName('hub');
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
    const tally = tallyRequests((path) => path.startsWith(`/api/hubs/${hub}/`));
    try {
      for (let i = 0; i < CALLS; i++) await client.sendToAll({ i });
      for (let i = 0; i < CALLS; i++) await client.userExists(`user-${i}`);
      for (let i = 0; i < CALLS; i++) for await (const _ of client.listConnectionsInGroup('g')) void _;
      for (let i = 0; i < CALLS; i++) await client.removeUserFromAllGroups(`user-${i}`);
      const byMethod = tally.byMethod();
      expect(Object.fromEntries(Object.entries(byMethod).map(([method, { requests }]) => [method, requests]))).toEqual({
        POST: CALLS,
        HEAD: CALLS,
        GET: CALLS,
        DELETE: CALLS,
      });
      // The first sends may open a second socket: the next request is dispatched before undici has marked the
      // first free. After them, nothing opens another.
      expect(byMethod.POST!.connections).toBeLessThanOrEqual(2);
      expect([byMethod.HEAD!.connections, byMethod.GET!.connections, byMethod.DELETE!.connections]).toEqual([0, 0, 0]);
    } finally {
      tally.stop();
      await client.close();
    }
  });
});
