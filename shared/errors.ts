/**
 * Errors thrown by the core client. Every kind has a stable `name` and `code`: match on those, not on
 * `instanceof`, because the bundled Action and the Pulumi provider may each carry their own copy of this module.
 * No message or enumerable field ever holds an access key, a connection string or a token.
 */

/** Base class of every error this package throws. */
export class WebPubSubError extends Error {
  /** A stable, machine-readable code (see the README's error table). */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebPubSubError';
    this.code = code;
  }
}

/** An argument broke a documented rule; thrown before any I/O. `argument` names the offending input. */
export class InvalidArgumentError extends WebPubSubError {
  readonly argument: string;

  constructor(argument: string, rule: string) {
    super(`${argument} ${rule}`, 'InvalidArgument');
    this.name = 'InvalidArgumentError';
    this.argument = argument;
  }
}

/** What every request-level failure records about the request that failed. */
export interface RequestFacts {
  /** The operation name from the operations table, or `sendRequest` for hand-built requests. */
  operation: string;
  method: string;
  /** The request URL. REST URLs carry no credential; it is redacted anyway. */
  url: string;
  /** How many attempts were made, retries included. */
  attempts: number;
  /** Why retrying stopped early, when it did (see `WebPubSubResponse.retryStopped`). */
  retryStopped?: string;
}

/** A request that was sent and failed: the facts of the request ride on the error. */
abstract class RequestFailure extends WebPubSubError implements RequestFacts {
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  readonly retryStopped: string | undefined;

  constructor(message: string, code: string, facts: RequestFacts, cause?: unknown) {
    const stopped = facts.retryStopped ? `; retries stopped: ${facts.retryStopped}` : '';
    super(`${message}${stopped} (${facts.method} ${facts.url})`, code, cause === undefined ? undefined : { cause });
    this.operation = facts.operation;
    this.method = facts.method;
    this.url = facts.url;
    this.attempts = facts.attempts;
    this.retryStopped = facts.retryStopped;
  }
}

/** The service answered with a status the operation does not expect. */
export class WebPubSubRequestError extends RequestFailure {
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(facts: RequestFacts & { status: number; code?: string; requestId?: string; detail?: string }) {
    const code = facts.code ?? `Http${facts.status}`;
    const detail = facts.detail ? `: ${facts.detail}` : '';
    super(`${facts.operation} failed with ${facts.status} ${code}${detail}`, code, facts);
    this.name = 'WebPubSubRequestError';
    this.status = facts.status;
    this.requestId = facts.requestId;
  }

  /** The official SDK's name for `status` (`RestError.statusCode`). */
  get statusCode(): number {
    return this.status;
  }
}

/** The connection failed (refused, reset, DNS) on every attempt. `code` is the system or undici code. */
export class WebPubSubConnectionError extends RequestFailure {
  constructor(facts: RequestFacts & { code: string; cause: unknown }) {
    const reason = facts.cause instanceof Error && facts.cause.message ? ` (${facts.cause.message})` : '';
    super(`${facts.operation} could not reach the service: ${facts.code}${reason} after ${facts.attempts} attempt(s)`, facts.code, facts, facts.cause);
    this.name = 'WebPubSubConnectionError';
  }
}

/** The attempts outlived the per-attempt timeout, or the call outlived `retry.maxElapsedMs` (`overall`). */
export class RequestTimeoutError extends RequestFailure {
  /** The per-attempt timeout, or for `overall` the whole call's bound. */
  readonly timeoutMs: number;
  /** True when the bound on the whole call (`retry.maxElapsedMs`) ran out. */
  readonly overall: boolean;

  constructor(facts: RequestFacts & { timeoutMs: number; overall?: boolean; cause?: unknown }) {
    const overall = facts.overall === true;
    super(
      overall
        ? `${facts.operation} did not complete within retry.maxElapsedMs (${facts.timeoutMs} ms), over ${facts.attempts} attempt(s)`
        : `${facts.operation} timed out after ${facts.timeoutMs} ms on each of ${facts.attempts} attempt(s)`,
      'RequestTimeout',
      facts,
      facts.cause,
    );
    this.name = 'RequestTimeoutError';
    this.timeoutMs = facts.timeoutMs;
    this.overall = overall;
  }
}

/** The caller's AbortSignal fired; nothing is retried after that. */
export class RequestAbortedError extends WebPubSubError {
  constructor(operation: string, cause?: unknown) {
    super(`${operation} was aborted`, 'RequestAborted', { cause });
    this.name = 'RequestAbortedError';
  }
}
