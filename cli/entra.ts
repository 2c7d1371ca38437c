/**
 * Microsoft Entra for the CLI, from the variables Azure Identity reads: a client secret (the client-secret input:
 * AZURE_CLIENT_SECRET or a file), or
 * workload identity federation with a token file (AZURE_FEDERATED_TOKEN_FILE, as Kubernetes workload identity
 * mounts it) or a token in a variable (AZURE_FEDERATED_TOKEN: GitLab's `id_tokens:`, Azure Pipelines' OIDC token).
 * The exchange itself is the Action's (action/entra.ts).
 */
import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '../shared/credentials.js';
import { createEntraCredential, type EntraProof, type EntraSettings } from '../action/entra.js';
import { InputError } from '../action/inputError.js';
import type { Output } from './output.js';

/** The federated token's variables, tried after the client secret (as Azure Identity's EnvironmentCredential does). */
export const ENTRA_ENV = {
  tokenFile: 'AZURE_FEDERATED_TOKEN_FILE',
  token: 'AZURE_FEDERATED_TOKEN',
} as const;

/** @throws InputError (naming --client-id) when there is neither a client secret nor a federated token */
export function createEntraCredentialFromEnv(settings: EntraSettings, timeoutMs: number, env: NodeJS.ProcessEnv, output: Output): TokenCredential {
  return createEntraCredential(settings, timeoutMs, proofOf(settings, env), (secret) => output.mask(secret));
}

function proofOf({ clientSecret }: EntraSettings, env: NodeJS.ProcessEnv): EntraProof {
  if (clientSecret) return { kind: 'secret', name: 'client secret (--client-secret)', secret: clientSecret };
  const file = env[ENTRA_ENV.tokenFile];
  // Read on each exchange: Kubernetes rotates the projected token in place.
  if (file) return { kind: 'assertion', name: `federated token (${ENTRA_ENV.tokenFile})`, get: async () => (await readFile(file, 'utf8')).trim() };
  const token = env[ENTRA_ENV.token];
  if (token) return { kind: 'assertion', name: `federated token (${ENTRA_ENV.token})`, get: async () => token.trim() };
  throw new InputError(
    'client-id',
    `signs in with Microsoft Entra, which needs the app's credential: {client-secret} (AZURE_CLIENT_SECRET, or --client-secret-file), or a federated token in ${ENTRA_ENV.tokenFile} (a file) or ${ENTRA_ENV.token}`,
  );
}
