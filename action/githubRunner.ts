/** The GitHub Action's front-end: the Runner made of `@actions/core` and the runner's environment. */
import { readGitHubContext } from './context.js';
import type { TokenCredential } from '../shared/credentials.js';
import type { ActionCore } from './core.js';
import { ACTION_WORDING, InputError } from './inputError.js';
import { defaultNotificationId, sourceOf } from './notification.js';
import type { Runner } from './runner.js';

/**
 * The input names the runner set, from the INPUT_* variables: every input action.yml declares (defaults filled
 * in) and every name of the step's `with:`, upper-cased with spaces turned into `_` (as `core.getInput` looks
 * them up), so they come back lower-cased.
 */
export function inputNamesOf(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && key.length > 'INPUT_'.length)
    .map((key) => key.slice('INPUT_'.length).toLowerCase());
}

/** @param env - the runner's environment (a parameter for tests) */
export function createGitHubRunner(core: ActionCore, env: NodeJS.ProcessEnv): Runner {
  const github = readGitHubContext(env);
  return {
    frontEnd: 'action',
    input: (name) => core.getInput(name),
    inputNames: () => inputNamesOf(env),
    wording: ACTION_WORDING,
    context: {
      source: sourceOf(github),
      github,
      env,
      defaultId: defaultNotificationId(env),
      sourceHint:
        'the runner sets GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF and GITHUB_RUN_ID in a workflow; when running the Action by hand, set them yourself (docs/action.md, "Running the Action locally")',
    },
    log: { info: (line) => core.info(line), warning: (line) => core.warning(line), debug: (line) => core.debug(line), isDebug: () => core.isDebug() },
    mask: (secret) => core.setSecret(secret),
    setOutput: (name, value) => core.setOutput(name, value),
    fail: (message) => core.setFailed(message),
    ...(env.GITHUB_STEP_SUMMARY && {
      writeSummary: async (markdown: string) => {
        await core.summary.addRaw(markdown, true).write();
      },
    }),
    entraCredential(settings, timeoutMs) {
      if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw new InputError(
          'client-id',
          "signs in with the job's GitHub OIDC token, which the runner gives only to jobs with `permissions: id-token: write`: " +
            'add it to the job (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)',
        );
      }
      // The OIDC exchange loads with the first token it is asked for: a step with a connection string never loads it.
      let credential: Promise<TokenCredential> | undefined;
      return {
        async getToken(scopes, options) {
          credential ??= import('./entra.js').then(({ createGitHubOidcCredential }) => createGitHubOidcCredential(core, settings, timeoutMs));
          return (await credential).getToken(scopes, options);
        },
      };
    },
  };
}
