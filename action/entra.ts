/**
 * Microsoft Entra through GitHub OIDC, in-process: the job's OIDC token (from the runner's token endpoint) is
 * exchanged at Entra's token endpoint as a client assertion (client-credentials grant with a federated credential)
 * for an access token to Web PubSub. No Azure CLI, no azure/login step, no stored secret. The CLI makes the same
 * exchange with another CI's federated token, or a client secret (cli/entra.ts).
 */
import type { TokenCredential } from '../shared/credentials.js';
import { createDispatcher } from '../shared/dispatcher.js';
import { requestOn } from '../shared/undiciParts.js';
import { redact } from '../shared/logger.js';
import type { ActionCore } from './core.js';

/** The Entra inputs, validated. */
export interface EntraSettings {
  clientId: string;
  tenantId: string;
  /** The audience asked of GitHub's token endpoint, which the federated credential must expect. */
  audience: string;
  /** `https://login.microsoftonline.com`, without a trailing slash. */
  authorityHost: string;
  /** The CLI's `client-secret`, for a client-credentials grant with a secret; the Action never has one. */
  clientSecret?: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The GitHub token's claims a federated credential is matched on: safe to show, and what a user must compare. */
const MATCHED_CLAIMS = ['iss', 'sub', 'aud', 'job_workflow_ref'] as const;

/**
 * What proves the app's identity to Entra: a federated token (a JWT from the CI, exchanged as a client assertion),
 * or a client secret. `name` says what it is in errors (`GitHub OIDC token`).
 */
export type EntraProof = { kind: 'assertion'; name: string; get(audience: string): Promise<string> } | { kind: 'secret'; name: string; secret: string };

/**
 * A TokenCredential (`{ getToken }`) for the core client that performs the exchange on each call it needs (the
 * client caches the result until shortly before it expires). Both tokens go through `setSecret` as they arrive.
 * @param timeoutMs - bound on the Entra request
 */
export function createGitHubOidcCredential(core: ActionCore, settings: EntraSettings, timeoutMs: number): TokenCredential {
  const proof: EntraProof = { kind: 'assertion', name: 'GitHub OIDC token', get: (audience) => core.getIDToken(audience) };
  return createEntraCredential(settings, timeoutMs, proof, (secret) => core.setSecret(secret));
}

/**
 * The exchange at Entra's token endpoint (client-credentials grant) with either proof; every token and the secret
 * go through `mask` before anything could print them. Shared by the Action and the CLI.
 */
export function createEntraCredential(settings: EntraSettings, timeoutMs: number, proof: EntraProof, mask: (secret: string) => void): TokenCredential {
  return {
    async getToken(scopes, options) {
      const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
      let assertion = '';
      if (proof.kind === 'assertion') {
        try {
          assertion = await proof.get(settings.audience);
        } catch (error) {
          throw new Error(`could not get the job's ${proof.name}: ${redact((error as Error).message)}`, { cause: error });
        }
        mask(assertion);
      } else mask(proof.secret);
      const tokenUrl = `${settings.authorityHost}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
      const form = new URLSearchParams([
        ['client_id', settings.clientId],
        ['scope', scope],
        ['grant_type', 'client_credentials'],
        ...((proof.kind === 'assertion'
          ? [
              ['client_assertion_type', JWT_BEARER],
              ['client_assertion', assertion],
            ]
          : [['client_secret', proof.secret]]) as [string, string][]),
      ]);
      const { origin, pathname } = new URL(tokenUrl);
      // The dispatcher's own request, not undici's top-level one: that would load all of undici's index (fetch,
      // WebSocket, the cache) into every process that signs in, the CLI's start-up included.
      const dispatcher = createDispatcher(origin, timeoutMs);
      try {
        const response = await requestOn(dispatcher, {
          origin,
          path: pathname,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          signal: options?.abortSignal ?? undefined,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const answer = (await response.body.json().catch(() => ({}))) as {
          access_token?: unknown;
          expires_in?: unknown;
          error?: unknown;
          error_description?: unknown;
        };
        if (response.statusCode !== 200 || typeof answer.access_token !== 'string') {
          throw new Error(rejection(response.statusCode, answer, proof.name, assertion));
        }
        mask(answer.access_token);
        const seconds = Number(answer.expires_in);
        return { token: answer.access_token, expiresOnTimestamp: Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000 };
      } finally {
        await dispatcher.close();
      }
    },
  };
}

/** What Entra said, and (for a federated token) the token's claims that the app's federated credential must match. */
function rejection(status: number, answer: { error?: unknown; error_description?: unknown }, name: string, assertion: string): string {
  const code = typeof answer.error === 'string' ? answer.error : `HTTP ${status}`;
  const description = typeof answer.error_description === 'string' ? `: ${answer.error_description.split(/\r?\n/)[0]}` : '';
  if (!assertion) return redact(`Microsoft Entra refused the ${name} (${code}${description})`);
  const claims = claimsOf(assertion);
  const shown = MATCHED_CLAIMS.filter((claim) => claims[claim] !== undefined).map((claim) => `${claim}=${JSON.stringify(claims[claim])}`);
  return redact(
    `Microsoft Entra refused the ${name} (${code}${description}). The federated credential of the app ` +
      `must match the token's claims: ${shown.join(', ') || '(none readable)'}`,
  );
}

/** The payload of a JWT, without verifying it (only to show the claims); {} when it cannot be read. */
function claimsOf(jwt: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
