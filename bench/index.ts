/** `npm run bench`: every performance claim of the project, as ratios against peers measured in the same run. */
import { benchClientSendToAll } from './client.js';
import { benchEmulatorBroadcast } from './emulator.js';
import { verdict } from './targets.js';

await benchClientSendToAll();
await benchEmulatorBroadcast();
console.log(`\n${verdict()}`);
