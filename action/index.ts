/**
 * The Action's entry, as the runner starts it (`node dist/index.js`): the workflow commands (action/workflowCore.ts,
 * which loads `@actions/core` only for an OIDC token), then run().
 */
import { run } from './main.js';
import { workflowCore } from './workflowCore.js';

await run(workflowCore());
