/**
 * The parse-and-validate step of a REST request: api-version, path parameters, query parameters and body are read
 * with the operation's table row and checked with the shared rules (`shared/validate.ts`), so client and emulator
 * speak of one rule set. The result is a typed request the handlers trust.
 */
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '../../shared/errors.js';
import {
  API_VERSIONS,
  DEFAULT_API_VERSION,
  supportsApiVersion,
  type ApiVersion,
  type Operation,
  type PathParam,
  type QueryParam,
} from '../../shared/operations.js';
import { MAX_MESSAGE_BYTES, checkClientProtocol, checkGroup, checkPathParam, checkQueryValue, type ClientProtocol } from '../../shared/validate.js';
import type { Audience } from '../state/delivery.js';
import { errors } from '../common/errors.js';
import { compileFilter, FilterSyntaxError, type FilterPredicate } from '../state/filter.js';
import { readPayload, type MessageData } from '../state/outboundMessage.js';
import { checkBodyType, readMetadata, requireContentLength, toUtf8, type BodyType } from './requestBody.js';
import type { RouteMatch } from './routes.js';

/** A validated REST request. */
export interface RestRequest {
  operation: Operation;
  apiVersion: ApiVersion;
  /** The hub ('' for the health operation, which has none). */
  hub: string;
  /** Path parameters after the hub, decoded and checked. */
  params: Partial<Record<Exclude<PathParam, 'hub'>, string>>;
  /** Query parameters by their option name, typed: strings, string arrays, integers. */
  query: Readonly<Record<string, string | string[] | number>>;
  /** `excluded` and `filter`, ready to apply. */
  audience: Audience;
  /** `http://<Host header>`: where nextLinks and client-token audiences point. */
  origin: string;
  /** The message of a send operation. */
  message?: MessageData;
  /** The message's metadata, from its `X-WebPubSub-Metadata-<key>` headers. */
  metadata?: Readonly<Record<string, string>>;
  /** The body of add/removeConnectionsToGroups. */
  groupsFilter?: { groups: string[]; filter: FilterPredicate | undefined };
}

/**
 * Reads the body (at most 1 MiB) and validates everything against the operation's row.
 * @throws ServiceError 400, 413 or 415 naming the input and its rule.
 */
export async function parseRestRequest(req: IncomingMessage, route: RouteMatch, query: URLSearchParams, loose: boolean): Promise<RestRequest> {
  const { operation } = route;
  const apiVersion = readApiVersion(operation, query, loose);
  const params: RestRequest['params'] = {};
  for (const [param, value] of Object.entries(route.params) as [PathParam, string][]) {
    try {
      checkPathParam(param, value);
    } catch (error) {
      throw errors.invalidPathParameter(param, (error as Error).message);
    }
    // Microsoft's emulator refuses ids of whitespace only (`users/%20/...`) rather than act on nobody.
    if ((param === 'connectionId' || param === 'userId') && value.trim() === '')
      throw errors.invalidPathParameter(param, `${param} must not be only whitespace`);
    if (param !== 'hub') params[param] = value;
  }
  const values = readQuery(operation, query, apiVersion, loose);
  const request: RestRequest = {
    operation,
    apiVersion,
    hub: route.params.hub ?? '',
    params,
    query: values,
    audience: {
      excluded: values.excluded ? new Set(values.excluded as string[]) : undefined,
      // An empty filter, like none, selects every connection.
      filter: values.filter === undefined || values.filter === '' ? undefined : compile(values.filter as string, 'filter'),
    },
    origin: `http://${req.headers.host}`,
  };
  if (operation.body === 'message') {
    // After the query (a bad filter is refused first) and before the body is read.
    requireContentLength(req.headers);
    const type = checkBodyType(req.headers['content-type']);
    request.message = readMessage(type, await readBody(req));
    request.metadata = readMetadata(req.headers);
  } else if (operation.body === 'groupsFilter') {
    const type = checkBodyType(req.headers['content-type']);
    request.groupsFilter = readGroupsFilter(req.headers['content-type'], type, await readBody(req));
  } else {
    await readBody(req);
  }
  return request;
}

const queryNames = new Map<Operation, ReadonlySet<string>>();

/** The names a request may use in its query: the row's parameters and api-version. */
export function knownQueryNames(operation: Operation): ReadonlySet<string> {
  let names = queryNames.get(operation);
  if (!names) queryNames.set(operation, (names = new Set(['api-version', ...operation.query.map((param) => param.wire)])));
  return names;
}

function readApiVersion(operation: Operation, query: URLSearchParams, loose: boolean): ApiVersion {
  const given = query.getAll('api-version');
  // Readiness probes (compose healthchecks, Kubernetes) ask HEAD /api/health without one.
  if (given.length === 0 && operation.name === 'getServiceStatus') return DEFAULT_API_VERSION;
  if (given.length === 0) throw errors.missingApiVersion();
  if (given.length > 1) throw errors.repeatedQueryParameter('api-version');
  const version = given[0]!;
  if (!(API_VERSIONS as readonly string[]).includes(version)) {
    if (loose) return DEFAULT_API_VERSION;
    throw errors.unsupportedApiVersion(version);
  }
  if (!loose && !supportsApiVersion(version, operation.since)) throw errors.operationNotInApiVersion(operation, version);
  return version as ApiVersion;
}

function readQuery(operation: Operation, query: URLSearchParams, apiVersion: ApiVersion, loose: boolean): Record<string, string | string[] | number> {
  const values: Record<string, string | string[] | number> = {};
  for (const param of operation.query) {
    const given = query.getAll(param.wire);
    if (given.length === 0) continue;
    if (!loose && !supportsApiVersion(apiVersion, param.since)) throw errors.parameterNotInApiVersion(param.wire, param.since, apiVersion);
    if (param.type !== 'strings' && given.length > 1) throw errors.repeatedQueryParameter(param.wire);
    const value = typed(param, given);
    try {
      checkQueryValue(param, value);
      // Group names and targetName (a group) follow the group rule wherever they appear.
      if (param.wire === 'group') (value as string[]).forEach((group, i) => checkGroup(`${param.wire}[${i}]`, group));
      if (param.wire === 'targetName') checkGroup(param.wire, value);
      // A client protocol newer than the api-version is refused as the service refuses socketio on 2024-01-01.
      if (param.type === 'clientType' && !loose) checkClientProtocol(value as ClientProtocol, apiVersion, param.wire);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw errors.invalidQueryParameter(param.wire, error.message.slice(error.argument.length + 1));
    }
    values[param.option] = value;
  }
  return values;
}

/** The wire strings as the parameter's type; bad integers are left as strings for `checkQueryValue` to name. */
function typed(param: QueryParam, given: string[]): string | string[] | number {
  switch (param.type) {
    case 'strings':
      return given;
    case 'int':
      return /^[+-]?\d{1,10}$/.test(given[0]!) ? Number(given[0]) : given[0]!;
    case 'clientType':
      // The service's enum is Default | MQTT, case-insensitive; the SDKs send lower case.
      return given[0]!.toLowerCase();
    default:
      return given[0]!;
  }
}

function compile(text: string, target: string): FilterPredicate {
  try {
    return compileFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw errors.invalidFilter(error.message, target);
    throw error;
  }
}

/**
 * The body, read with listeners rather than `for await`: an async iterator costs a promise per chunk and stream
 * bookkeeping per request, a noticeable share of a small send's CPU.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Gone already (during the steps before this one): its 'error' and 'close' have been and will not come again.
    if (req.destroyed) {
      reject(errors.requestAborted());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_MESSAGE_BYTES) {
        // Stop reading; the response says so and the listener closes the connection.
        req.pause();
        settle(errors.payloadTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    // Node ends the body of a request whose client went away with an ECONNRESET 'aborted' error (or just closes
    // it): the client's doing, not the emulator's failure, and nobody is left to answer.
    const onError = (error: NodeJS.ErrnoException) => settle(error.code === 'ECONNRESET' ? errors.requestAborted() : error);
    const onClose = () => settle(errors.requestAborted());
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function readMessage(type: BodyType, body: Buffer): MessageData {
  const message = readPayload(type.mediaType, toUtf8(body, type));
  if (!message) throw errors.invalidJsonPayload();
  return message;
}

const JSON_ONLY = ['application/json'] as const;

function readGroupsFilter(header: string | undefined, type: BodyType, body: Buffer): { groups: string[]; filter: FilterPredicate | undefined } {
  // The swagger's body is JSON only (`consumes: application/json`): another type is a 415, as for a send.
  if (type.mediaType !== 'application/json') throw errors.unsupportedMediaType(header, JSON_ONLY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(toUtf8(body, type).toString('utf8'));
  } catch {
    throw errors.invalidJsonPayload();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.invalidRequestBody('body', 'must be a JSON object { "groups": [...], "filter": "..." }');
  }
  const { groups, filter, ...rest } = parsed as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw errors.invalidRequestBody(extra[0]!, 'is not a property of the request (only groups and filter)');
  if (!Array.isArray(groups) || groups.length === 0) throw errors.invalidRequestBody('groups', 'must be a non-empty array of group names');
  groups.forEach((group, i) => {
    try {
      checkGroup(`groups[${i}]`, group);
    } catch (error) {
      throw errors.invalidRequestBody(`groups[${i}]`, (error as InvalidArgumentError).message.slice(`groups[${i}] `.length));
    }
  });
  if (filter !== undefined && filter !== null && typeof filter !== 'string') throw errors.invalidRequestBody('filter', 'must be a string');
  // `"filter": ""` selects every connection, as `null` and no filter do.
  return { groups: groups as string[], filter: typeof filter === 'string' && filter !== '' ? compile(filter, 'filter') : undefined };
}
