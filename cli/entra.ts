/**
 * Microsoft Entra for the CLI, from the variables Azure Identity reads: a client secret (AZURE_CLIENT_SECRET), or
 * workload identity federation with a token file (AZURE_FEDERATED_TOKEN_FILE, as Kubernetes workload identity
 * mounts it) or a token in a variable (AZURE_FEDERATED_TOKEN: GitLab's `id_tokens:`, Azure Pipelines' OIDC token).
 * The exchange itself is the Action's (action/entra.ts).
 */
import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '../shared/credentials.js';
import { createEntraCredential, type EntraProof, type EntraSettings } from '../action/entra.js';
import { InputError } from '../action/inputError.js';
import type { Output } from './output.js';

/** The variables, in the order they are tried (Azure Identity's EnvironmentCredential tries the secret first). */
export const ENTRA_ENV = {
  secret: 'AZURE_CLIENT_SECRET',
  tokenFile: 'AZURE_FEDERATED_TOKEN_FILE',
  token: 'AZURE_FEDERATED_TOKEN',
} as const;

/** @throws InputError (naming --client-id) when none of the variables is set */
export function createEntraCredentialFromEnv(settings: EntraSettings, timeoutMs: number, env: NodeJS.ProcessEnv, output: Output): TokenCredential {
  return createEntraCredential(settings, timeoutMs, proofOf(env), (secret) => output.mask(secret));
}

function proofOf(env: NodeJS.ProcessEnv): EntraProof {
  const secret = env[ENTRA_ENV.secret];
  if (secret) return { kind: 'secret', name: `client secret (${ENTRA_ENV.secret})`, secret };
  const file = env[ENTRA_ENV.tokenFile];
  // Read on each exchange: Kubernetes rotates the projected token in place.
  if (file) return { kind: 'assertion', name: `federated token (${ENTRA_ENV.tokenFile})`, get: async () => (await readFile(file, 'utf8')).trim() };
  const token = env[ENTRA_ENV.token];
  if (token) return { kind: 'assertion', name: `federated token (${ENTRA_ENV.token})`, get: async () => token.trim() };
  throw new InputError(
    'client-id',
    `signs in with Microsoft Entra, which needs the app's credential in the environment: ${ENTRA_ENV.secret}, or a federated token in ${ENTRA_ENV.tokenFile} (a file) or ${ENTRA_ENV.token}`,
  );
}
