/**
 * Tokens for the REST API: HS256 JWTs signed with the access key (audience = the request URL, query included),
 * or Microsoft Entra bearer tokens. Both are cached, so a burst of sends signs once per audience and a retry
 * reuses the token of the first attempt.
 */
import { createHmac } from 'node:crypto';
import type { AccessToken, KeyCredential, TokenCredential } from './credentials.js';

const TOKEN_LIFETIME_SECONDS = 3600;
/** Renew this long before expiry so a token never expires in flight or on a slightly fast server clock. */
const RENEW_MARGIN_MS = 5 * 60_000;
/** Distinct audiences kept; a client addressing many connections one by one must not grow without bound. */
const MAX_CACHED_AUDIENCES = 1000;

/** The protected header of every token: always the same, so encoded once. */
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Signs an HS256 JWT over the UTF-8 bytes of `key` (not its base64 decoding, as the service expects). Plain
 * node:crypto HMAC rather than a JOSE library: the first WebCrypto signature in a process costs 15-25 ms of set-up,
 * which a one-shot pipeline step (the Action) pays on every run.
 */
export function signJwt(
  key: string,
  claims: Record<string, unknown>,
  { audience, lifetimeSeconds = TOKEN_LIFETIME_SECONDS, subject }: { audience: string; lifetimeSeconds?: number; subject?: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...claims, aud: audience, iat: now, exp: now + lifetimeSeconds, ...(subject !== undefined && { sub: subject }) };
  const input = `${HS256_HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return Promise.resolve(`${input}.${createHmac('sha256', key).update(input).digest('base64url')}`);
}

/** Gives the bearer token for a request URL. */
export type TokenSource = (audience: string, signal?: AbortSignal) => string | Promise<string>;

/** Access-key tokens, one per audience, reused until five minutes before they expire. */
export function createKeyTokenSource(credential: KeyCredential): TokenSource {
  type Entry = { token: string | Promise<string>; renewAt: number };
  const cache = new Map<string, Entry>();
  let signingKey = credential.key;
  // The last audience and its entry: a burst of sends to one URL skips the map lookup.
  let lastAudience = '';
  let last: Entry | undefined;
  return (audience) => {
    const key = credential.key;
    if (key !== signingKey) {
      cache.clear();
      last = undefined;
      signingKey = key;
    }
    const now = Date.now();
    if (last !== undefined && audience === lastAudience && last.renewAt > now) return last.token;
    const hit = cache.get(audience);
    if (hit && hit.renewAt > now) {
      lastAudience = audience;
      last = hit;
      return hit.token;
    }
    if (hit) cache.delete(audience);
    else if (cache.size >= MAX_CACHED_AUDIENCES) cache.delete(cache.keys().next().value as string);
    const entry: Entry = { token: signJwt(key, {}, { audience }), renewAt: now + TOKEN_LIFETIME_SECONDS * 1000 - RENEW_MARGIN_MS };
    cache.set(audience, entry);
    entry.token = (entry.token as Promise<string>).then(
      (token) => (entry.token = token),
      (error: unknown) => {
        cache.delete(audience);
        if (last === entry) last = undefined;
        throw error;
      },
    );
    lastAudience = audience;
    last = entry;
    return entry.token;
  };
}

/** Entra tokens for one scope, fetched once and shared by concurrent requests until shortly before expiry. */
export function createEntraTokenSource(credential: TokenCredential, scope: string): TokenSource {
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return (_audience, signal) => {
    if (current && current.renewAt > Date.now()) return current.token;
    pending ??= credential
      .getToken(scope, { abortSignal: signal })
      .then((access: AccessToken | null) => {
        if (!access?.token) throw new Error(`the token credential returned no token for ${scope}`);
        current = { token: access.token, renewAt: access.expiresOnTimestamp - RENEW_MARGIN_MS };
        return access.token;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}

/** The Entra scope for an endpoint: Azure China has its own. */
export function entraScopeFor(endpoint: string): string {
  return new URL(endpoint).hostname.endsWith('.azure.cn') ? 'https://webpubsub.azure.cn/.default' : 'https://webpubsub.azure.com/.default';
}
