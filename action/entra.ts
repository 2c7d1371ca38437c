/**
 * Microsoft Entra through GitHub OIDC, in-process: the job's OIDC token (from the runner's token endpoint) is
 * exchanged at Entra's token endpoint as a client assertion (client-credentials grant with a federated credential)
 * for an access token to Web PubSub. No Azure CLI, no azure/login step, no stored secret.
 */
import { request } from 'undici';
import type { TokenCredential } from '../shared/credentials.js';
import { createDispatcher } from '../shared/dispatcher.js';
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
 * A TokenCredential (`{ getToken }`) for the core client that performs the exchange on each call it needs (the
 * client caches the result until shortly before it expires). Both tokens go through `setSecret` as they arrive.
 * @param timeoutMs - bound on the Entra request
 */
export function createGitHubOidcCredential(core: ActionCore, settings: EntraSettings, timeoutMs: number): TokenCredential {
  return {
    async getToken(scopes, options) {
      const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
      let assertion: string;
      try {
        assertion = await core.getIDToken(settings.audience);
      } catch (error) {
        throw new Error(`could not get the job's GitHub OIDC token: ${redact((error as Error).message)}`, { cause: error });
      }
      core.setSecret(assertion);
      const tokenUrl = `${settings.authorityHost}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
      const form = new URLSearchParams([
        ['client_id', settings.clientId],
        ['scope', scope],
        ['grant_type', 'client_credentials'],
        ['client_assertion_type', JWT_BEARER],
        ['client_assertion', assertion],
      ]);
      const dispatcher = createDispatcher(new URL(tokenUrl).origin, timeoutMs);
      try {
        const response = await request(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          dispatcher,
          signal: options?.abortSignal,
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
          throw new Error(rejection(response.statusCode, answer, assertion));
        }
        core.setSecret(answer.access_token);
        const seconds = Number(answer.expires_in);
        return { token: answer.access_token, expiresOnTimestamp: Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000 };
      } finally {
        await dispatcher.close();
      }
    },
  };
}

/** What Entra said, and the GitHub token's claims that its federated credential must match. */
function rejection(status: number, answer: { error?: unknown; error_description?: unknown }, assertion: string): string {
  const code = typeof answer.error === 'string' ? answer.error : `HTTP ${status}`;
  const description = typeof answer.error_description === 'string' ? `: ${answer.error_description.split(/\r?\n/)[0]}` : '';
  const claims = claimsOf(assertion);
  const shown = MATCHED_CLAIMS.filter((claim) => claims[claim] !== undefined).map((claim) => `${claim}=${JSON.stringify(claims[claim])}`);
  return redact(
    `Microsoft Entra refused the GitHub OIDC token (${code}${description}). The federated credential of the app ` +
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
