/**
 * Build and interpret, the two pure halves around the network: `buildRequest` turns an operation and its
 * arguments into `{ method, url, headers, body }`; `interpret` turns a response into a value or an error.
 */
import { InvalidArgumentError, WebPubSubRequestError } from './errors.js';
import { redact } from './logger.js';
import { DEFAULT_API_VERSION, supportsApiVersion, type HttpMethod, type Operation, type PathParam } from './operations.js';
import { checkSize, toJson, type ContentType, type Payload } from './payload.js';
import {
  checkApiVersion,
  checkClientProtocol,
  checkGroup,
  checkPathParam,
  checkQueryValue,
  requireString,
  unknownOption,
  type ClientProtocol,
} from './validate.js';

/** A request ready to send: `url` is the path and query, relative to the endpoint. */
export interface WebPubSubRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The operation it was built for; errors and logs use it. */
  operation?: string;
}

/** What `sendRequest` returns. */
export interface WebPubSubResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body as text ('' when there is none). */
  body: string;
  /** Attempts made, retries included. */
  attempts: number;
  /**
   * Why retrying stopped before `maxRetries` with a retryable status, when it did: a `Retry-After` longer than
   * `retry.maxDelayMs`, or a retry that would start after `retry.maxElapsedMs`.
   */
  retryStopped?: string;
}

/** The arguments of one operation, already split by the caller. */
export interface OperationInput {
  hub?: string;
  /** Values for `operation.args`, in that order. */
  args?: readonly unknown[];
  /** Query options by their option name; `undefined` values are left out, unknown names are refused. */
  options?: object;
  /** For `message` operations. */
  payload?: Payload;
  /** For `groupsFilter` operations. */
  groups?: unknown;
  filter?: unknown;
  apiVersion?: string;
  /** Options the caller takes besides the query ones (`signal`, `contentType`, …): listed when a name is unknown. */
  otherOptions?: readonly string[];
}

/** `?api-version=<version>` for the versions already checked: the pattern and encoding run once per version. */
const queryPrefixes = new Map<unknown, string>();
const PLACEHOLDERS: Readonly<Record<PathParam, string>> = {
  hub: '{hub}',
  group: '{group}',
  userId: '{userId}',
  connectionId: '{connectionId}',
  permission: '{permission}',
};

/**
 * Each operation's path as last filled in with a hub, and that hub: a client sends to one hub, so the hub's check,
 * encoding and replacement run once per operation rather than per call. One entry per operation.
 */
const hubPaths = new Map<Operation, { hub: string; path: string }>();

/** encodeURIComponent plus `'`, which WHATWG URL serialisation (and so the official SDK) also escapes in queries. */
const encodeQueryValue = (value: string): string => encodeURIComponent(value).replace(/'/g, '%27');

/**
 * Validates every argument of `operation`, then builds its request. Pure: no I/O, no clock.
 * @throws InvalidArgumentError naming the first argument that breaks its rule.
 */
export function buildRequest(operation: Operation, input: OperationInput): WebPubSubRequest {
  const apiVersion = input.apiVersion ?? DEFAULT_API_VERSION;
  let query = queryPrefixes.get(apiVersion);
  if (query === undefined) {
    checkApiVersion('apiVersion', apiVersion);
    query = `?api-version=${encodeQueryValue(apiVersion)}`;
    if (queryPrefixes.size < 100) queryPrefixes.set(apiVersion, query);
  }
  requireApiVersion(operation.name, operation.since, apiVersion);

  let path = operation.path;
  if (path.includes(PLACEHOLDERS.hub)) {
    const filled = hubPaths.get(operation);
    if (filled !== undefined && filled.hub === input.hub) path = filled.path;
    else {
      path = fill(path, 'hub', input.hub);
      hubPaths.set(operation, { hub: input.hub as string, path });
    }
  }
  for (let i = 0; i < operation.args.length; i++) path = fill(path, operation.args[i], input.args?.[i]);

  const options = (input.options ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (options[name] !== undefined && !operation.query.some((param) => param.option === name)) {
      throw unknownOption(name, operation.name, [...operation.query.map((param) => param.option), ...(input.otherOptions ?? [])]);
    }
  }
  for (const param of operation.query) {
    const value = options[param.option];
    if (value === undefined) continue;
    checkQueryValue(param, value);
    requireApiVersion(`${operation.name} option ${param.option}`, param.since, apiVersion);
    if (param.type === 'clientType') checkClientProtocol(value as ClientProtocol, apiVersion);
    for (const item of Array.isArray(value) ? value : [value]) query += `&${param.wire}=${encodeQueryValue(String(item))}`;
  }

  if (operation.body === 'message') {
    if (!input.payload) throw new InvalidArgumentError('message', 'is required');
    // Headers are written as one literal: adding keys to an object later makes it slow to copy and extend.
    const headers = { 'content-type': input.payload.contentType };
    return { method: operation.method, url: path + query, headers, operation: operation.name, body: input.payload.body };
  }
  const request: WebPubSubRequest = { method: operation.method, url: path + query, headers: {}, operation: operation.name };
  if (operation.body === 'groupsFilter') {
    if (!Array.isArray(input.groups) || input.groups.length === 0) {
      throw new InvalidArgumentError('groups', 'must be a non-empty array of group names');
    }
    input.groups.forEach((group, i) => checkGroup(`groups[${i}]`, group));
    requireString('filter', input.filter);
    request.headers = { 'content-type': 'application/json' };
    request.body = JSON.stringify({ groups: input.groups, filter: input.filter });
  }
  return request;
}

/** Checks a path parameter and puts it, percent-encoded, in its place. */
function fill(path: string, param: PathParam, value: unknown): string {
  checkPathParam(param, value);
  return path.replace(PLACEHOLDERS[param], encodeURIComponent(value));
}

function requireApiVersion(what: string, since: string, apiVersion: string): void {
  if (!supportsApiVersion(apiVersion, since as never)) {
    throw new InvalidArgumentError('apiVersion', `is ${apiVersion}, but ${what} needs ${since} or later`);
  }
}

/**
 * The body options of the seed-style builders: `json` is serialised, `content` is sent as given.
 * `content` without a content type is text/plain for strings and application/octet-stream for bytes.
 */
export interface BodyOptions {
  json?: unknown;
  content?: string | Uint8Array | ArrayBuffer;
  contentType?: ContentType;
}

/** Turns builder body options into a payload. Exactly one of `json` and `content` is required. */
export function payloadFromBody({ json, content, contentType }: BodyOptions): Payload {
  if ((json === undefined) === (content === undefined)) {
    throw new InvalidArgumentError('json, content', 'exactly one of json and content is required');
  }
  if (json !== undefined) {
    const body = toJson('json', json);
    checkSize(body);
    return { contentType: contentType ?? 'application/json', body };
  }
  let body: string | Uint8Array;
  if (typeof content === 'string' || content instanceof Uint8Array) body = content;
  else if (content instanceof ArrayBuffer) body = new Uint8Array(content);
  else throw new InvalidArgumentError('content', 'must be a string, Uint8Array or ArrayBuffer');
  checkSize(body);
  return { contentType: contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/octet-stream'), body };
}

/** Where a failed response came from, for the error. */
export interface RequestContext {
  operation: string;
  method: string;
  url: string;
}

/**
 * Reads a response the way `operation` defines it.
 * @returns `undefined`, a boolean (exists), the token string, or the page object.
 * @throws WebPubSubRequestError for any status the operation does not expect.
 */
export function interpret(operation: Operation, response: WebPubSubResponse, context: RequestContext): unknown {
  if (!operation.success.includes(response.status)) throw toRequestError(response, context);
  switch (operation.result) {
    case 'exists':
      return response.status === 200;
    case 'token':
      return (parseJson(response.body) as { token?: unknown } | undefined)?.token;
    case 'page':
      return parseJson(response.body);
    default:
      return undefined;
  }
}

/** Builds the error for an unexpected response: the service's code from the body (bare or wrapped) or header. */
function toRequestError(response: WebPubSubResponse, context: RequestContext): WebPubSubRequestError {
  const parsed = parseJson(response.body) as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  const detail = parsed?.error ?? parsed;
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const code = typeof detail?.code === 'string' && detail.code ? detail.code : header('x-ms-error-code');
  const message = typeof detail?.message === 'string' ? detail.message : parsed === undefined ? response.body.trim() : '';
  return new WebPubSubRequestError({
    ...context,
    url: redact(context.url),
    attempts: response.attempts,
    status: response.status,
    code: code || undefined,
    requestId: header('x-ms-request-id') ?? header('x-request-id'),
    detail: message ? redact(message.slice(0, 500)) : undefined,
    retryStopped: response.retryStopped,
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
