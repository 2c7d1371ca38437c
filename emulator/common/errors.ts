/**
 * Every error the emulator answers with, one function each, so codes and messages live in this file only:
 * REST errors and handshake refusals (`ServiceError`), WebSocket close reasons and ack errors.
 * Messages name the input and the rule; none ever holds an access key or a token.
 */
import { API_VERSIONS, DEFAULT_API_VERSION, type Operation, type PathParam } from '../../shared/operations.js';
import { MAX_MESSAGE_BYTES } from '../../shared/validate.js';
import { ServiceError } from './serviceError.js';

const LOOSE_HINT = 'start the emulator with --loose (option loose: true) to ignore it';

/**
 * The service's answer to a bad request parameter (recorded for `clientType`, NOTES §3.1): one code for every
 * parameter, with `target` naming it as on the wire (`group`, `api-version`, `groups[0]`). The message says which
 * rule was broken.
 */
const badRequest = (target: string, message: string) => new ServiceError(400, 'Error.BadRequest', message, { target });

/** The service's 404 for a resource that does not exist: `<severity>.<Resource>.NotExisted`, target the resource. */
const notExisted = (severity: 'Error' | 'Warning' | 'Info', resource: 'Connection' | 'User' | 'Group', message: string) =>
  new ServiceError(404, `${severity}.${resource}.NotExisted`, message, { target: resource });

/** Microsoft's emulator's wording. */
const noConnection = (connectionId: string) => `Connection \`${connectionId}\` is not found.`;

/** A refusal whose service code is unknown: the code is the emulator's own name (listed in the README). */
const ownBadRequest = (code: string, message: string, target: string) => new ServiceError(400, code, message, { target });

/** REST and handshake errors. */
export const errors = {
  routeNotFound: (method: string, path: string) => new ServiceError(404, 'RouteNotFound', `No Web PubSub operation matches ${method} ${path}`),
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new ServiceError(405, 'MethodNotAllowed', `${method} is not allowed here; use ${allowed.join(' or ')}`, {
      headers: { allow: allowed.join(', ') },
    }),
  missingHost: () => ownBadRequest('MissingHost', 'The Host header is required: the token audience is built from it', 'Host'),

  // 400s about a request parameter: the service's Error.BadRequest, target the parameter's wire name.
  missingApiVersion: () => badRequest('api-version', `The api-version query parameter is required (stable versions: ${API_VERSIONS.join(', ')})`),
  unsupportedApiVersion: (version: string) =>
    badRequest(
      'api-version',
      `api-version ${version} is not implemented by the emulator (stable versions: ${API_VERSIONS.join(', ')}); ` +
        `${LOOSE_HINT} and answer as ${DEFAULT_API_VERSION}`,
    ),
  operationNotInApiVersion: (operation: Operation, version: string) =>
    badRequest('api-version', `${operation.operationId} needs api-version ${operation.since} or later (got ${version})`),
  parameterNotInApiVersion: (wire: string, since: string, version: string) =>
    badRequest(wire, `Query parameter ${wire} needs api-version ${since} or later (got ${version})`),
  unsupportedQueryParameter: (wire: string, operation: Operation) =>
    badRequest(wire, `Query parameter ${wire} is not a parameter of ${operation.operationId}, so the emulator cannot honour it; ${LOOSE_HINT}`),
  invalidQueryParameter: (wire: string, rule: string) => badRequest(wire, `Query parameter ${wire} ${rule}`),
  repeatedQueryParameter: (wire: string) => badRequest(wire, `Query parameter ${wire} must be given at most once`),
  invalidPathParameter: (param: PathParam, message: string) => badRequest(param, message),
  invalidFilter: (message: string, target = 'filter') => badRequest(target, `${message} (Parameter '${target}')`),
  invalidContinuationToken: () => badRequest('continuationToken', 'continuationToken must be a value from a nextLink of this emulator process, unchanged'),
  continuationTokenMismatch: () =>
    badRequest('continuationToken', 'continuationToken belongs to another list: use it with the hub, group and maxpagesize of the nextLink it came from'),
  /** Microsoft's emulator's wording and target. */
  invalidJsonPayload: () => badRequest('Request', 'The request body is not a valid JSON.'),
  /** A send whose body has no Content-Length (chunked): refused unread, so the connection is closed. */
  invalidContentLength: () =>
    new ServiceError(400, 'Error.BadRequest', 'Invalid Content-Length header: a send must give the length of its body (chunked bodies are refused).', {
      target: 'Content-Length',
      headers: { connection: 'close' },
    }),
  invalidMetadata: (message: string) => badRequest('X-WebPubSub-Metadata', message),
  invalidRequestBody: (field: string, rule: string) => badRequest(field, `${field} ${rule}`),

  unsupportedMediaType: (contentType: string | undefined, allowed: readonly string[]) =>
    new ServiceError(415, 'UnsupportedMediaType', `Content-Type ${contentType ? `'${contentType}'` : 'is missing; it'} must be one of ${allowed.join(', ')}`, {
      target: 'Content-Type',
    }),
  payloadTooLarge: () => new ServiceError(413, 'PayloadTooLarge', `The message must be at most ${MAX_MESSAGE_BYTES} bytes (1 MiB)`, { target: 'body' }),

  unauthorized: (reason: string, target = 'Authorization') => new ServiceError(401, 'Unauthorized', reason, { target }),
  missingToken: () => errors.unauthorized('The request has no Authorization: Bearer <token> header'),
  missingClientToken: () =>
    errors.unauthorized('The client request has no access_token query parameter and no Authorization: Bearer <token> header', 'access_token'),
  malformedToken: (target?: string) => errors.unauthorized('The bearer token is not a well-formed JWT', target),
  unsupportedTokenAlgorithm: (alg: string, target?: string) =>
    errors.unauthorized(
      `The token is signed with ${alg}; the emulator accepts only access-key tokens (HS256). Microsoft Entra tokens ` +
        'are accepted on REST calls only with the option acceptEntraTokens: true (CLI --accept-entra-tokens)',
      target,
    ),
  badSignature: (target?: string) => errors.unauthorized('The token signature does not match the access key', target),
  tokenExpired: (target?: string) => errors.unauthorized('The token has expired', target),
  tokenNotYetValid: (target?: string) => errors.unauthorized('The token is not valid yet (nbf is in the future)', target),
  missingClaim: (claim: string, target?: string) => errors.unauthorized(`The token has no ${claim} claim`, target),
  invalidClaim: (claim: string, rule: string, target?: string) => errors.unauthorized(`The token's ${claim} claim ${rule}`, target),
  wrongRestAudience: (expected: string) => errors.unauthorized(`The token's aud must be the request URL as received, query included: ${expected}`),
  wrongEntraAudience: (accepted: readonly string[]) =>
    errors.unauthorized(`The Microsoft Entra token's aud must be the Web PubSub resource: ${accepted.join(' or ')}`),
  wrongClientAudience: (expected: string) =>
    errors.unauthorized(`The token's aud must be ${expected} (http, https, ws or wss; an optional trailing /)`, 'access_token'),

  // 404s with the service's codes (recorded, NOTES §3.1): the severity prefix differs from route to route.
  /** Adding an unknown connection to a group. */
  connectionNotExisted: (connectionId: string) => notExisted('Error', 'Connection', noConnection(connectionId)),
  /** HEAD connections/{id} for a connection that does not exist, or no longer does. */
  connectionNotExistedWarning: (connectionId: string) => notExisted('Warning', 'Connection', noConnection(connectionId)),
  /** Granting or checking a permission of an unknown connection. */
  connectionNotExistedInfo: (connectionId: string) => notExisted('Info', 'Connection', noConnection(connectionId)),
  /** HEAD users/{id}, and adding a user to a group, when the user has no connection. */
  userNotExisted: (userId: string) => notExisted('Warning', 'User', `User '${userId}' has no connection`),
  /** HEAD groups/{g} for a group without connections. */
  groupNotExisted: (group: string) => notExisted('Warning', 'Group', `Group '${group}' has no connection`),
  /** A grant or revoke that would give one connection more group rules for a permission than the service keeps. */
  tooManyPermissionRules: (connectionId: string, permission: string, max: number) =>
    new ServiceError(
      409,
      'Error.Connection.Conflict',
      `Connection \`${connectionId}\` has ${max} group-by-group ${permission} grants and revokes already; nothing was changed`,
      { target: 'targetName' },
    ),
  missingTargetName: () => badRequest('targetName', 'Query parameter targetName (the group) is required for sendToGroup and joinLeaveGroup'),

  throttled: (retryAfterSeconds: number) =>
    new ServiceError(429, 'TooManyRequests', `Injected fault: too many requests, retry after ${retryAfterSeconds} s`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  unavailable: () => new ServiceError(503, 'ServiceUnavailable', 'Injected fault: the service is unavailable'),
  internal: () => new ServiceError(500, 'InternalServerError', 'The emulator failed to handle the request; see its log'),
  /** Never sent (the client is gone): nginx's 499 "client closed request" marks the request in the log. */
  requestAborted: () => new ServiceError(499, 'ClientClosedRequest', 'The client closed the connection before it sent the whole body'),

  // WebSocket handshake refusals (plain HTTP answers before any upgrade).
  clientPathNotFound: (path: string) =>
    ownBadRequest('InvalidClientPath', `WebSocket clients connect to /client/hubs/{hub} or /client/?hub={hub} (got ${path})`, 'path'),
  clientProtocolNotImplemented: (kind: string) =>
    ownBadRequest('NotImplemented', `${kind} clients are not implemented by the emulator; use /client/hubs/{hub}`, 'path'),
  invalidClientMode: (rule: string) => ownBadRequest('InvalidClientMode', rule, 'webpubsub_mode'),
  shuttingDown: () => new ServiceError(503, 'ServiceUnavailable', 'The emulator is shutting down'),

  /**
   * The connect event handler's refusal. The service answers the handshake with the handler's 4xx (Learn,
   * "CloudEvents extension for Azure Web PubSub", connect "Error response format") and does not forward its body;
   * a handler that answers anything else, cannot be reached or answers nonsense fails the handshake with a 500.
   */
  connectRefused: (failure: EventHandlerFailure) =>
    failure.status !== undefined && failure.status >= 400 && failure.status <= 599
      ? new ServiceError(failure.status, 'ConnectRefused', `The connect event handler refused the connection (HTTP ${failure.status})`, { target: 'connect' })
      : new ServiceError(500, 'EventHandlerFailed', "The connect event handler failed; the emulator's log says why", { target: 'connect' }),
};

/** Why a call to an upstream event handler failed. Logged in full; clients get the service's terse answer. */
export class EventHandlerFailure extends Error {
  override readonly name = 'EventHandlerFailure';
  /** The handler's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** The failures of upstream calls, for the log: each names the URL and what went wrong. */
export const eventHandlerFailures = {
  noHandler: (hub: string, event: string) =>
    new EventHandlerFailure(`no event handler of hub '${hub}' takes the user event '${event}' (see its userEventPattern)`),
  answered: (url: string, status: number) => new EventHandlerFailure(`${url} answered HTTP ${status}`, status),
  unreachable: (url: string, code: string) => new EventHandlerFailure(`${url} could not be reached (${code})`),
  timedOut: (url: string, ms: number) => new EventHandlerFailure(`${url} did not answer within ${ms} ms, retries included`),
  originNotAllowed: (url: string, origin: string) =>
    new EventHandlerFailure(
      `${url} did not allow WebHook-Request-Origin ${origin}: the abuse-protection OPTIONS request must be answered ` +
        `2xx with WebHook-Allowed-Origin: * or ${origin} (with @azure/web-pubsub-express, allowedEndpoints must list the emulator's endpoint)`,
    ),
  /** A ce-* header undici will not send: a userId or event name with characters beyond Latin-1, or a line break. */
  unsendable: (url: string, detail: string) =>
    new EventHandlerFailure(
      `the event for ${url} cannot be sent: ${detail} (ce-* headers hold the userId and event name, which must be Latin-1 without line breaks)`,
    ),
  tooLarge: (url: string, limit: number) => new EventHandlerFailure(`${url} answered with more than ${limit} bytes`),
  badAnswer: (url: string, rule: string) => new EventHandlerFailure(`${url} answered ${rule}`),
  shuttingDown: () => new EventHandlerFailure('the emulator is shutting down'),
};

/** A WebSocket close: code and reason (at most 123 bytes on the wire; these stay well under). */
export interface CloseFrame {
  code: number;
  reason: string;
}

/** Why the emulator closes a client socket. */
export const closes = {
  /** A frame that does not match the subprotocol's format: the service declines the client. */
  malformedFrame: (detail: string): CloseFrame => ({ code: 1007, reason: truncate(`Invalid frame: ${detail}`) }),
  binaryFrame: (): CloseFrame => ({ code: 1003, reason: 'Binary frames are not part of the JSON subprotocols' }),
  textFrame: (): CloseFrame => ({ code: 1003, reason: 'Text frames are not part of the protobuf subprotocols' }),
  unknownFrameType: (type: string): CloseFrame => ({ code: 1007, reason: truncate(`Unknown frame type '${type}' (--loose ignores it)`) }),
  messageTooLarge: (): CloseFrame => ({ code: 1009, reason: `Message data exceeds ${MAX_MESSAGE_BYTES} bytes (1 MiB)` }),
  /** The reliable queue outgrew the service's bound; the connection cannot be recovered. */
  queueFull: (): CloseFrame => ({ code: 1008, reason: 'Unacknowledged messages exceed 1000 messages or 16 MB' }),
  /** A socket fell too far behind (MAX_BUFFERED_BYTES in clientConnection.ts). */
  slowConsumer: (): CloseFrame => ({ code: 1008, reason: 'More than 16 MB is waiting to be sent to this connection' }),
  /**
   * A REST close (closeConnection, closeGroupConnections, ...): 1000 with an empty description, as the service
   * sends it; the reason travels in the `disconnected` frame (see `applicationServerClosed`).
   */
  closedByServer: (): CloseFrame => ({ code: 1000, reason: '' }),
  emulatorReset: (): CloseFrame => ({ code: 1000, reason: 'The emulator was reset' }),
  /** 1008 tells the official client to stop recovering and connect anew; Microsoft's emulator's wording. */
  notRecoverable: (): CloseFrame => ({ code: 1008, reason: 'The connection could not be recovered.' }),
  goingAway: (): CloseFrame => ({ code: 1001, reason: 'The emulator is shutting down' }),
  /** A failure of the emulator itself while it handled a client's frame (logged with its stack). */
  internalError: (): CloseFrame => ({ code: 1011, reason: 'The emulator failed to handle the frame' }),
  /** A plain client's message the event handler failed to take: the service closes such a client (1011). */
  eventHandlerFailed: (): CloseFrame => ({ code: 1011, reason: 'The event handler failed to handle the message' }),
};

/**
 * The `message` of the `disconnected` frame after a REST close, and the `reason` of the upstream `disconnected`
 * event, worded as the service words it: apps match this text (the official server SDK's README prints it), so it
 * must be exact. Without a reason (or with an empty one) the sentence ends after "connection." (Microsoft's own
 * emulator, Azure/azure-webpubsub tools/emulator, asserts both forms in its tests).
 */
export const applicationServerClosed = (reason: string | undefined): string => `Application server closed the connection.${reason ? ` Reason: ${reason}` : ''}`;

/** Error bodies of `ack` frames. */
export const ackErrors = {
  duplicate: (ackId: number) => ({ name: 'Duplicate', message: `Message with ackId ${ackId} was already processed` }),
  forbiddenJoinLeave: (group: string) => ({
    name: 'Forbidden',
    message: `The connection has no permission to join or leave group '${truncate(group, 200)}' (role webpubsub.joinLeaveGroup[.<group>])`,
  }),
  forbiddenSend: (group: string) => ({
    name: 'Forbidden',
    message: `The connection has no permission to send to group '${truncate(group, 200)}' (role webpubsub.sendToGroup[.<group>])`,
  }),
  notImplemented: (feature: string) => ({ name: 'NotSupported', message: `${feature} is not implemented by the emulator` }),
  /** A user event the event handler failed to take; the handler's own answer is not passed on, as in the service. */
  eventHandlerFailed: (event: string) => ({
    name: 'InternalServerError',
    message: `The event handler failed to handle event '${truncate(event, 200)}'; the emulator's log says why`,
  }),
};

/** Cuts `text` to at most `maxBytes` of UTF-8, so a close reason always fits the 123 bytes a close frame allows. */
function truncate(text: string, maxBytes = 120): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (Buffer.byteLength(text.slice(0, end)) > maxBytes - 3) end--;
  return `${text.slice(0, end)}…`;
}
