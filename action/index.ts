/** The Action's entry, as the runner starts it (`node dist/index.js`): the real `@actions/core`, then run(). */
import * as core from '@actions/core';
import { run } from './main.js';

await run(core);
