/**
 * Connections opened per 100 sequential calls of each kind (POST, HEAD, GET, DELETE), counted at the emulator, for
 * our client and the official SDK: against the service each new connection is a TLS handshake.
 */
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { tallyRequests } from './requestTally.js';

const CALLS = 100;
const KINDS = ['POST', 'HEAD', 'GET', 'DELETE'] as const;

type Calls = Record<(typeof KINDS)[number], (i: number) => Promise<unknown>>;

export async function connectionsPerHundredCalls(): Promise<Map<string, Record<string, number>>> {
  const emulator = await startEmulator({ port: 0 });
  const results = new Map<string, Record<string, number>>();
  try {
    const ours = new WebPubSubServiceClient(emulator.connectionString, 'reuse_ours', { logLevel: 'off' });
    const official = new OfficialClient(emulator.connectionString, 'reuse_official', { allowInsecureConnection: true });
    const contenders: [string, string, Calls][] = [
      [
        'webpubsub-action',
        'reuse_ours',
        {
          POST: (i) => ours.sendToAll({ i }),
          HEAD: (i) => ours.userExists(`user-${i}`),
          GET: async () => {
            for await (const _ of ours.listConnectionsInGroup('g')) void _;
          },
          DELETE: (i) => ours.removeUserFromAllGroups(`user-${i}`),
        },
      ],
      [
        '@azure/web-pubsub',
        'reuse_official',
        {
          POST: (i) => official.sendToAll({ i }),
          HEAD: (i) => official.userExists(`user-${i}`),
          GET: async () => {
            for await (const _ of await official.group('g').listConnections()) void _;
          },
          DELETE: (i) => official.removeUserFromAllGroups(`user-${i}`),
        },
      ],
    ];
    for (const [name, hub, calls] of contenders) {
      const tally = tallyRequests((path) => path.startsWith(`/api/hubs/${hub}/`));
      for (const kind of KINDS) for (let i = 0; i < CALLS; i++) await calls[kind](i);
      const byMethod = tally.byMethod();
      tally.stop();
      results.set(name, Object.fromEntries(KINDS.map((kind) => [kind, byMethod[kind]?.connections ?? 0])));
    }
    await ours.close();
  } finally {
    await emulator.close();
  }
  return results;
}
