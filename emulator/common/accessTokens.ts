/**
 * Verifies the service's two kinds of access-key tokens: REST tokens (`aud` = the request URL as received, query
 * included) and client tokens (`aud` = the http(s) client URL, or its ws(s) form). Both are HS256 JWTs signed with
 * the UTF-8 bytes of the access key. Failures are 401 `ServiceError`s that never echo the token.
 */
import { webcrypto } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { CLIENT_PATHS } from '../../shared/operations.js';
import { checkGroup } from '../../shared/validate.js';
import { errors } from './errors.js';
import { PermissionSet } from '../state/permissions.js';

/** The audiences of Microsoft Entra tokens for Web PubSub (scope `<audience>/.default`), public cloud and China. */
export const ENTRA_AUDIENCES: readonly string[] = ['https://webpubsub.azure.com', 'https://webpubsub.azure.cn'];

/** Who a client token says the client is. */
export interface ClientIdentity {
  /** `sub`, or null for an anonymous connection. */
  userId: string | null;
  /** From the `role` claim. */
  permissions: PermissionSet;
  /** Groups joined at connect (`webpubsub.group`). */
  groups: string[];
  /** Every claim of the token, for the upstream `connect` event. */
  claims: JWTPayload;
}

/** Verified tokens remembered; the oldest is forgotten beyond this. */
const MAX_VERIFIED_TOKENS = 1000;
/** Bounds the memory of `expireClientTokens`. */
const REMEMBERED_CLIENT_TOKENS = 10_000;

/** Checks tokens against one access key. */
export class AccessTokenVerifier {
  /**
   * The key as a WebCrypto HMAC key, imported once: given raw bytes, jose would import them again on every request,
   * which was some 40% of the emulator's CPU per REST call.
   */
  readonly #key: Promise<webcrypto.CryptoKey>;
  readonly #acceptEntraTokens: boolean;
  /**
   * Tokens whose signature checked out, with their claims. A service client signs once per audience and sends
   * that token until it nears expiry, so most requests repeat one; `exp` and `nbf` are still checked on each.
   */
  readonly #verified = new Map<string, JWTPayload>();
  /** Client tokens verified lately (a fault can expire them), oldest first, and the ones expired. */
  readonly #clientTokens = new Set<string>();
  #expiredClientTokens = new Set<string>();

  /** @param acceptEntraTokens - see `EmulatorOptions.acceptEntraTokens` */
  constructor(accessKey: string, { acceptEntraTokens = false }: { acceptEntraTokens?: boolean } = {}) {
    this.#key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(accessKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    this.#acceptEntraTokens = acceptEntraTokens;
  }

  /**
   * Verifies a REST token. `receivedUrl` is `http://<Host header><raw request target>`; the token's `aud` must be
   * exactly that, except that scheme and host compare case-insensitively and https is accepted too (the emulator
   * may sit behind a TLS proxy).
   * @throws ServiceError 401
   */
  async verifyRest(authorization: string | undefined, receivedUrl: string): Promise<void> {
    const token = bearer(authorization);
    if (token === undefined) throw errors.missingToken();
    if (this.#acceptEntraTokens && algorithm(token) !== 'HS256') return verifyEntraClaims(token);
    const payload = await this.#verify(token, undefined);
    if (payload.exp === undefined) throw errors.missingClaim('exp');
    if (payload.aud === undefined) throw errors.missingClaim('aud');
    const expected = splitUrl(receivedUrl);
    if (!audiences(payload.aud).some((aud) => sameRestUrl(splitUrl(aud), expected))) throw errors.wrongRestAudience(receivedUrl);
  }

  /**
   * Verifies a client token for `hub`, received on `host`. `exp` is checked here, at connect time only.
   * @throws ServiceError 401
   */
  async verifyClient(token: string | undefined, { host, hub }: { host: string; hub: string }): Promise<ClientIdentity> {
    if (token === undefined) throw errors.missingClientToken();
    if (this.#expiredClientTokens.has(token)) throw errors.tokenExpired('access_token');
    const payload = await this.#verify(token, 'access_token');
    this.#clientTokens.add(token);
    if (this.#clientTokens.size > REMEMBERED_CLIENT_TOKENS) this.#clientTokens.delete(this.#clientTokens.values().next().value as string);
    const expectedPath = `/${CLIENT_PATHS.default}${hub}`.toLowerCase();
    const expected = `http://${host}/${CLIENT_PATHS.default}${hub}`;
    if (payload.aud === undefined) throw errors.missingClaim('aud', 'access_token');
    if (!audiences(payload.aud).some((aud) => isClientAudience(aud, host, expectedPath))) throw errors.wrongClientAudience(expected);
    const { sub } = payload;
    if (sub !== undefined && typeof sub !== 'string') throw errors.invalidClaim('sub', 'must be a string', 'access_token');
    const roles = stringsClaim(payload, 'role');
    const groups = stringsClaim(payload, 'webpubsub.group');
    groups.forEach((group, i) => {
      try {
        checkGroup(`webpubsub.group[${i}]`, group);
      } catch (error) {
        throw errors.invalidClaim('webpubsub.group', (error as Error).message, 'access_token');
      }
    });
    let permissions: PermissionSet;
    try {
      permissions = PermissionSet.fromRoles(roles);
    } catch (error) {
      throw errors.invalidClaim('role', (error as Error).message, 'access_token');
    }
    return { userId: sub || null, permissions, groups, claims: payload };
  }

  /**
   * A fault: every client token verified so far (the last 10,000) is refused from now on as expired, as when a
   * page holds one past its `exp`. Recoveries are unaffected: they present a reconnection token, not this one.
   */
  expireClientTokens(): void {
    for (const token of this.#clientTokens) this.#expiredClientTokens.add(token);
    this.#clientTokens.clear();
    while (this.#expiredClientTokens.size > REMEMBERED_CLIENT_TOKENS)
      this.#expiredClientTokens.delete(this.#expiredClientTokens.values().next().value as string);
  }

  async #verify(token: string, target: string | undefined): Promise<JWTPayload> {
    const known = this.#verified.get(token);
    // Within exp and nbf as jose reads them (whole seconds, no tolerance); otherwise jose below says what is wrong.
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    if (known && (known.exp === undefined || known.exp > now) && (known.nbf === undefined || known.nbf <= now)) return known;
    const payload = await this.#verifySignature(token, target, new Date(nowMs));
    if (this.#verified.size >= MAX_VERIFIED_TOKENS) this.#verified.delete(this.#verified.keys().next().value as string);
    this.#verified.set(token, payload);
    return payload;
  }

  async #verifySignature(token: string, target: string | undefined, currentDate: Date): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw errors.malformedToken(target);
    }
    if (alg !== 'HS256') throw errors.unsupportedTokenAlgorithm(String(alg), target);
    try {
      return (await jwtVerify(token, await this.#key, { algorithms: ['HS256'], currentDate })).payload;
    } catch (error) {
      const { code, claim } = error as { code?: string; claim?: string };
      if (code === 'ERR_JWT_EXPIRED') throw errors.tokenExpired(target);
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw errors.badSignature(target);
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'nbf') throw errors.tokenNotYetValid(target);
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim) throw errors.invalidClaim(claim, 'is not valid', target);
      throw errors.malformedToken(target);
    }
  }
}

/** The `alg` of a JWT's header, or undefined when the token is not a JWT. */
function algorithm(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/**
 * The checks the emulator can make on a Microsoft Entra token: its audience is the Web PubSub resource and it is
 * within `nbf`..`exp`. Entra's signature cannot be checked offline, which is why this path is an opt-in.
 * @throws ServiceError 401
 */
function verifyEntraClaims(token: string): void {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    throw errors.malformedToken();
  }
  if (payload.aud === undefined) throw errors.missingClaim('aud');
  if (!audiences(payload.aud).some((aud) => ENTRA_AUDIENCES.includes(aud.replace(/\/$/, '')))) throw errors.wrongEntraAudience(ENTRA_AUDIENCES);
  if (typeof payload.exp !== 'number') throw errors.missingClaim('exp');
  const now = Date.now() / 1000;
  if (payload.exp <= now) throw errors.tokenExpired();
  if (typeof payload.nbf === 'number' && payload.nbf > now) throw errors.tokenNotYetValid();
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(authorization: string | undefined): string | undefined {
  const match = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match ? match[1] : undefined;
}

const audiences = (aud: string | string[]): string[] => (Array.isArray(aud) ? aud : [aud]);

/** `scheme://authority` (lower-cased) and the raw rest; an unparsable URL gives an authority nothing matches. */
function splitUrl(url: string): { scheme: string; authority: string; rest: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!match) return { scheme: '', authority: '\0', rest: url };
  return { scheme: match[1]!.toLowerCase(), authority: match[2]!.toLowerCase(), rest: match[3]! };
}

function sameRestUrl(aud: ReturnType<typeof splitUrl>, received: ReturnType<typeof splitUrl>): boolean {
  return (aud.scheme === 'http' || aud.scheme === 'https') && aud.authority === received.authority && aud.rest === received.rest;
}

function isClientAudience(aud: string, host: string, expectedPath: string): boolean {
  const { scheme, authority, rest } = splitUrl(aud);
  if (!['http', 'https', 'ws', 'wss'].includes(scheme) || authority !== host.toLowerCase()) return false;
  let path: string;
  try {
    path = decodeURIComponent(rest.replace(/\/$/, ''));
  } catch {
    return false;
  }
  // Hub names are case-insensitive in the service.
  return path.toLowerCase() === expectedPath;
}

function stringsClaim(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw errors.invalidClaim(claim, 'must be a string or an array of strings', 'access_token');
}
