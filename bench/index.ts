/** `npm run bench`: every performance claim of the project, as ratios against peers measured in the same run. */
import { benchActionStartup } from './action.js';
import { benchCliStartup } from './cli.js';
import { benchClientSendToAll } from './client.js';
import { benchEmulatorBroadcast } from './emulator.js';
import { benchPulumiMembership } from './pulumi.js';
import { summary, verdict } from './targets.js';

await benchClientSendToAll();
await benchEmulatorBroadcast();
await benchPulumiMembership();
await benchActionStartup();
await benchCliStartup();
console.log(`\n${summary()}\n\n${verdict()}`);
