/**
 * The send path, as layers around the transport: user agent → auth → retry → transport. A policy is
 * `(next) => (request) => Promise<response>`; only the retry policy loops or sleeps.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { RequestAbortedError, RequestTimeoutError, WebPubSubConnectionError, type RequestFacts } from './errors.js';
import { type DeadlineEntry, Deadlines } from './deadlines.js';
import type { Log } from './logger.js';
import type { HttpMethod } from './operations.js';
import type { WebPubSubResponse } from './requests.js';
import type { TokenSource } from './tokens.js';
import { parseHeaders } from './undiciParts.js';

export interface PipelineRequest {
  operation: string;
  method: HttpMethod;
  /** Path and query relative to the endpoint. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** This attempt's timeout, when shorter than the client's (the overall deadline is near). */
  timeoutMs?: number;
}

export type Send = (request: PipelineRequest) => Promise<WebPubSubResponse>;
export type Policy = (next: Send) => Send;

/** Chains policies so the first one listed runs first. */
export const compose = (policies: readonly Policy[], transport: Send): Send => policies.reduceRight((next, policy) => policy(next), transport);

export const userAgentPolicyName = 'userAgentPolicy';
export const userAgentPolicy =
  (userAgent: string): Policy =>
  (next) =>
  (request) => {
    request.headers['user-agent'] = userAgent;
    return next(request);
  };

export const authPolicyName = 'authPolicy';
/**
 * Adds `Authorization: Bearer <token>`. The audience is the service URL of the request, query included, even when
 * the request itself goes to a reverse proxy. It runs before retry, so every attempt carries the same token.
 */
export const authPolicy =
  (tokens: TokenSource, audienceBase: string): Policy =>
  (next) => {
    // A burst of sends to one URL reuses one token: build its header value once, not per request.
    let lastToken = '';
    let lastHeader = '';
    const send = (request: PipelineRequest, token: string) => {
      if (token !== lastToken) {
        lastToken = token;
        lastHeader = `Bearer ${token}`;
      }
      request.headers.authorization = lastHeader;
      return next(request);
    };
    return (request) => {
      const token = tokens(audienceBase + request.path, request.signal);
      // A cached token is a plain string: use it without a trip through the microtask queue.
      return typeof token === 'string' ? send(request, token) : token.then((value) => send(request, value));
    };
  };

export interface RetryOptions {
  /** Retries after the first attempt (default 3, so 4 attempts). */
  maxRetries?: number;
  /** First backoff step (default 1000 ms); doubles each retry, with jitter in [d/2, d]. */
  baseDelayMs?: number;
  /** Cap on one wait (default 64000 ms). A Retry-After beyond it ends the retries rather than cutting them short. */
  maxDelayMs?: number;
  /**
   * A bound on the whole call, every attempt and wait included (default: none). The last attempt gets only the
   * time that is left, and no retry starts that would end after it, so a pipeline step is bounded however the
   * retries go.
   */
  maxElapsedMs?: number;
}

/** The code of the transport's error when an attempt outlives the per-attempt timeout. */
const ATTEMPT_TIMEOUT = 'ATTEMPT_TIMEOUT';
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** A status the pipeline retries: the service is busy or failing, not refusing the request. */
export function isRetriedStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}
// Not UND_ERR_CLOSED: undici raises it for a dispatcher that was closed, which no retry can fix.
const RETRY_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  ATTEMPT_TIMEOUT,
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', ATTEMPT_TIMEOUT]);

export const retryPolicyName = 'retryPolicy';
/**
 * Retries 408, 429, 500, 502, 503, 504 and connection failures with capped exponential backoff and jitter,
 * waiting what `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or a date) asks instead when
 * present. Sends are retried too, so delivery is at-least-once. An abort ends the wait at once. With
 * `maxElapsedMs`, attempts are cut to the time left and no retry starts past the deadline.
 */
export const retryPolicy =
  (
    { maxRetries = 3, baseDelayMs = 1000, maxDelayMs = 64_000, maxElapsedMs }: RetryOptions,
    { log, timeoutMs, describeUrl }: { log: Log; timeoutMs: number; describeUrl: (path: string) => string },
  ): Policy =>
  (next) => {
    const attempts = maxRetries + 1;
    const backoff = (attempt: number) => {
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      return ceiling / 2 + Math.random() * (ceiling / 2);
    };
    const logAttempt = (request: PipelineRequest, attempt: number, started: number, result: string) => {
      if (!log.debugEnabled) return;
      const ms = (performance.now() - started).toFixed(1);
      log.debug(`${request.method} ${describeUrl(request.path)} -> ${result} (attempt ${attempt}/${attempts}, ${ms} ms)`);
    };
    const facts = (request: PipelineRequest, attempt: number): RequestFacts => ({
      operation: request.operation,
      method: request.method,
      url: describeUrl(request.path),
      attempts: attempt,
    });

    return async (request) => {
      const deadline = maxElapsedMs === undefined ? Infinity : performance.now() + maxElapsedMs;
      for (let attempt = 1; ; attempt++) {
        if (request.signal?.aborted) throw new RequestAbortedError(request.operation, request.signal.reason);
        // Read the clock only when a deadline or the debug log needs it: this runs for every send.
        const started = maxElapsedMs !== undefined || log.debugEnabled ? performance.now() : 0;
        const left = deadline - started;
        if (left < timeoutMs) request.timeoutMs = Math.max(1, Math.floor(left));
        let outcome: string;
        let delay: number;
        let failure: unknown;
        try {
          const response = await next(request);
          response.attempts = attempt;
          if (!RETRY_STATUSES.has(response.status) || attempt === attempts) {
            logAttempt(request, attempt, started, String(response.status));
            return response;
          }
          outcome = String(response.status);
          delay = retryAfterMs(response.headers) ?? backoff(attempt);
          const stop =
            delay > maxDelayMs
              ? `the service asked to retry after ${Math.round(delay)} ms, more than retry.maxDelayMs (${maxDelayMs} ms)`
              : pastDeadline(delay, deadline, maxElapsedMs);
          if (stop) {
            logAttempt(request, attempt, started, `${outcome}; not retrying: ${stop}`);
            response.retryStopped = stop;
            return response;
          }
        } catch (error) {
          if (request.signal?.aborted) throw new RequestAbortedError(request.operation, request.signal.reason);
          const code = errorCode(error);
          outcome = code;
          delay = backoff(attempt);
          // An attempt cut short by the overall deadline ends the call: that is the deadline's timeout.
          const cutByDeadline = code === ATTEMPT_TIMEOUT && request.timeoutMs !== undefined;
          const retryable = RETRY_ERROR_CODES.has(code) && attempt < attempts && !cutByDeadline;
          const stop = retryable ? pastDeadline(delay, deadline, maxElapsedMs) : undefined;
          if (!retryable || stop) {
            logAttempt(request, attempt, started, outcome);
            const failed = { ...facts(request, attempt), retryStopped: stop, cause: error };
            if (cutByDeadline) throw new RequestTimeoutError({ ...failed, timeoutMs: maxElapsedMs!, overall: true });
            if (TIMEOUT_CODES.has(code)) throw new RequestTimeoutError({ ...failed, timeoutMs });
            throw new WebPubSubConnectionError({ ...failed, code });
          }
          failure = error;
        }
        logAttempt(request, attempt, started, outcome);
        log.info(`${request.operation}: ${outcome} on attempt ${attempt} of ${attempts}; retrying in ${Math.round(delay)} ms`);
        try {
          await sleep(delay, undefined, { signal: request.signal });
        } catch {
          throw new RequestAbortedError(request.operation, failure ?? request.signal?.reason);
        }
      }
    };
  };

/** Why no retry may start after `delay`, when the overall deadline would pass first; undefined otherwise. */
function pastDeadline(delay: number, deadline: number, maxElapsedMs: number | undefined): string | undefined {
  if (performance.now() + delay < deadline) return undefined;
  return `the next attempt would start after retry.maxElapsedMs (${maxElapsedMs} ms)`;
}

/** The wait a throttling response asks for, in ms, or undefined. */
export function retryAfterMs(headers: WebPubSubResponse['headers'], now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(first(headers[name]));
    if (first(headers[name]) !== undefined && Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = first(headers['retry-after'])?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function errorCode(error: unknown): string {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  // undici reports a reset as UND_ERR_SOCKET with the system error as its cause; the system code says more.
  if (typeof cause?.code === 'string') return cause.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** A response whose headers are parsed only when read: the 202 of a send is never asked for them. */
class Response implements WebPubSubResponse {
  attempts = 1;
  retryStopped: string | undefined = undefined;
  #raw: Buffer[];
  #headers: WebPubSubResponse['headers'] | undefined;

  constructor(
    readonly status: number,
    raw: Buffer[],
    readonly body: string,
  ) {
    this.#raw = raw;
  }

  get headers(): WebPubSubResponse['headers'] {
    return (this.#headers ??= parseHeaders(this.#raw));
  }

  toJSON() {
    return { status: this.status, headers: this.headers, body: this.body, attempts: this.attempts, retryStopped: this.retryStopped };
  }
}

/**
 * The last layer: one HTTP exchange over a keep-alive dispatcher, through undici's handler API: the answer is
 * collected straight into a string, with no stream or AbortController per request (those cost more than the rest
 * of the client together). The per-attempt timeout is ours (shared/deadlines.ts), because undici's coarse timers
 * (about 1 s resolution) would stretch a 100 ms timeout tenfold.
 */
export const createTransport = (dispatcher: Dispatcher, { origin, pathPrefix, timeoutMs }: { origin: string; pathPrefix: string; timeoutMs: number }): Send => {
  const deadlines = new Deadlines<Exchange>(timeoutMs, expire);
  return (request) =>
    new Promise((resolve, reject) => {
      // An attempt cut short by the overall deadline has a timeout of its own, and so a timer of its own.
      const attemptDeadlines = request.timeoutMs === undefined || request.timeoutMs === timeoutMs ? deadlines : new Deadlines(request.timeoutMs, expire);
      const exchange = new Exchange(resolve, reject, attemptDeadlines, request.signal);
      try {
        const options: Dispatcher.DispatchOptions = {
          origin,
          method: request.method,
          path: pathPrefix + request.path,
          headers: request.headers,
          body: request.body,
        };
        // undici closes the socket after every HEAD (for servers that send a body anyway) unless told not to; the
        // service does not, and without this each exists or permission check would open a connection (a TLS
        // handshake against the service).
        if (request.method === 'HEAD') options.reset = false;
        dispatcher.dispatch(options, exchange);
      } catch (error) {
        exchange.onError(error as Error);
      }
    });
};

/** The raw headers of an answer that had none (undici always passes some): read, never written. */
const NO_HEADERS: Buffer[] = [];

/**
 * undici's handler for one exchange. A class rather than a bag of closures: on the hot path it is one allocation
 * where closures would be ten.
 */
class Exchange implements Dispatcher.DispatchHandlers, DeadlineEntry {
  deadlinePrevious: DeadlineEntry | undefined = undefined;
  deadlineNext: DeadlineEntry | undefined = undefined;
  deadlineAdded = Number.NaN;
  #resolve: (response: WebPubSubResponse) => void;
  #reject: (error: Error) => void;
  #deadlines: Deadlines<Exchange>;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #cancel: ((reason: Error) => void) | undefined;
  #cancelled: Error | undefined;
  #status = 0;
  #rawHeaders: Buffer[] = NO_HEADERS;
  /** The body's chunks; most answers (a send's 202) have none. */
  #chunks: Buffer[] | undefined;

  constructor(resolve: (response: WebPubSubResponse) => void, reject: (error: Error) => void, deadlines: Deadlines<Exchange>, signal: AbortSignal | undefined) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#deadlines = deadlines;
    deadlines.add(this);
    if (signal) {
      this.#signal = signal;
      this.#onAbort = () => this.stop(Object.assign(new Error('aborted by the caller'), { code: 'ABORTED' }));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Cancels the exchange now, or as soon as undici hands over its abort function. */
  stop(reason: Error): void {
    this.#cancelled ??= reason;
    this.#cancel?.(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#cancel = abort;
    if (this.#cancelled) abort(this.#cancelled);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    this.#status = statusCode;
    this.#rawHeaders = rawHeaders as Buffer[];
    return true;
  }

  onData(chunk: Buffer): boolean {
    (this.#chunks ??= []).push(chunk);
    return true;
  }

  onComplete(): void {
    this.#finish();
    const chunks = this.#chunks;
    this.#resolve(new Response(this.#status, this.#rawHeaders, chunks === undefined ? '' : Buffer.concat(chunks).toString('utf8')));
  }

  onError(error: Error): void {
    this.#finish();
    this.#reject(this.#cancelled ?? error);
  }

  #finish(): void {
    this.#deadlines.delete(this);
    if (this.#onAbort) this.#signal!.removeEventListener('abort', this.#onAbort);
  }
}

function expire(exchange: Exchange, timeoutMs: number): void {
  exchange.stop(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: ATTEMPT_TIMEOUT }));
}
