/**
 * The part of `@actions/core` the Action uses. Modules take it as a parameter (STYLE §6), so unit tests pass a fake
 * and index.ts passes action/workflowCore.ts's, which loads the real one only for an OIDC token.
 */
import type * as actionsCore from '@actions/core';

export type ActionCore = Pick<
  typeof actionsCore,
  'getInput' | 'setSecret' | 'setOutput' | 'setFailed' | 'info' | 'debug' | 'warning' | 'isDebug' | 'getIDToken'
> & {
  summary: Pick<typeof actionsCore.summary, 'addHeading' | 'addTable' | 'addRaw' | 'write'>;
};
