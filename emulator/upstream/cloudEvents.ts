/**
 * The wire format of the service's calls to upstream event handlers, and of their answers: HTTP binary-mode
 * CloudEvents as Learn's "CloudEvents extension for Azure Web PubSub event handler with HTTP protocol" describes
 * them (reference-cloud-events.md). Pure functions: the requests are sent, retried and timed by `upstream.ts`.
 *
 * What `@azure/web-pubsub-express` (the official parser, `cloudEventsDispatcher.ts`) requires of a request:
 * `ce-awpsversion` (it ignores requests without it), `WebHook-Request-Origin`, a `ce-type` of
 * `azure.webpubsub.sys.connect|connected|disconnected` or `azure.webpubsub.user.<event>`, and `ce-hub` equal to its
 * hub; it reads `ce-userId`, `ce-connectionId`, `ce-eventName`, `ce-signature` and `ce-connectionState` (base64
 * JSON) into the request context, a JSON body for system events, and a user event's body by its Content-Type.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JWTPayload } from 'jose';
import { MAX_MESSAGE_BYTES, checkGroup } from '../../shared/validate.js';
import type { SystemEvent } from './eventHandlerSettings.js';
import { mediaTypeOf, readPayload, type MessageData } from '../state/outboundMessage.js';
import { PermissionSet } from '../state/permissions.js';

/** What an event says about the connection it comes from. */
export interface EventSource {
  readonly hub: string;
  readonly connectionId: string;
  readonly userId: string | null;
  /** The subprotocol the connection speaks, if any (unknown yet at `connect`). */
  readonly subprotocol: string | undefined;
  /** The state an event handler set with `ce-connectionState`, sent back with every later event. */
  readonly connectionState: string | undefined;
}

/** One event as it goes over HTTP: the headers and the body. */
export interface CloudEventRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/** What identifies an event, besides its connection. */
export interface EventIdentity {
  /** `sys` for connect, connected and disconnected; `user` for client events. */
  kind: 'sys' | 'user';
  /** The event name without prefix: `connect`, or the user event's name. */
  name: string;
  /** Unique per connection (`ce-source` names the connection): the emulator counts from 0 at `connect`. */
  id: number;
}

/** What the emulator signs with and calls itself. */
export interface Sender {
  accessKey: string;
  /** `WebHook-Request-Origin`: the emulator's host and port, which handlers compare with their allowed endpoints. */
  origin: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * The content type of a user event's body, by the client's `dataType` (Learn: text/plain, application/json,
 * application/octet-stream; application/x-protobuf for a protobuf client's `protobuf_data`).
 */
const USER_CONTENT_TYPES = { text: 'text/plain', json: 'application/json', binary: 'application/octet-stream', protobuf: 'application/x-protobuf' } as const;

/** The body of a `connect` event. */
export interface ConnectEventBody {
  /** The access token's claims, each as a list of strings. */
  claims: Record<string, string[]>;
  /** The handshake's query, without `access_token`. */
  query: Record<string, string[]>;
  /** The handshake's headers, without `Authorization`. */
  headers: Record<string, string[]>;
  /** The subprotocols the client offered. */
  subprotocols: string[];
  /** Client certificates: none (the emulator speaks plain HTTP). */
  clientCertificates: never[];
}

/** What a `connect` handler may answer (Learn: `userId`, `groups`, `roles`, `subprotocol`), plus its state header. */
export interface ConnectAnswer {
  /** A new userId; `null` for an anonymous connection (the handler answered an empty string). */
  userId?: string | null;
  /** The permissions of the answer's `roles`. */
  permissions?: PermissionSet;
  groups?: string[];
  /** One of the subprotocols the client offered. */
  subprotocol?: string;
  connectionState?: string;
}

/**
 * `sha256=<hex>` of HMAC-SHA256 of the connection id with the access key (its UTF-8 bytes). The service lists one
 * value per access key; the emulator has one key.
 */
export function signature(accessKey: string, connectionId: string): string {
  return `sha256=${createHmac('sha256', accessKey).update(connectionId).digest('hex')}`;
}

/** A system event (`connect`, `connected`, `disconnected`) with its JSON body. */
export function systemEventRequest(source: EventSource, event: { name: SystemEvent; id: number }, body: object, sender: Sender): CloudEventRequest {
  return { headers: cloudEventHeaders(source, { kind: 'sys', ...event }, JSON_TYPE, sender), body: Buffer.from(JSON.stringify(body)) };
}

/** A user event: the client's data as sent, with the content type of its `dataType`. */
export function userEventRequest(source: EventSource, event: { name: string; id: number }, data: MessageData, sender: Sender): CloudEventRequest {
  const body = 'bytes' in data ? data.bytes : Buffer.from(data.dataType === 'json' ? data.json : data.text);
  return { headers: cloudEventHeaders(source, { kind: 'user', ...event }, USER_CONTENT_TYPES[data.dataType], sender), body };
}

/** The abuse-protection request's headers (CloudEvents HTTP webhook spec §4.1, and `ce-awpsversion` for the SDK). */
export function validationHeaders(origin: string): Record<string, string> {
  return { 'WebHook-Request-Origin': origin, 'ce-awpsversion': '1.0' };
}

/**
 * Whether an abuse-protection answer allows `origin`: a 2xx whose `WebHook-Allowed-Origin` holds `*` or the
 * origin (case-insensitive). Repeated headers arrive joined by commas (the SDK sends one per allowed endpoint).
 */
export function allowsOrigin(status: number, allowed: string | string[] | undefined, origin: string): boolean {
  if (status < 200 || status > 299 || allowed === undefined) return false;
  const values = (Array.isArray(allowed) ? allowed : [allowed]).flatMap((value) => value.split(',')).map((value) => value.trim().toLowerCase());
  return values.includes('*') || values.includes(origin.toLowerCase());
}

/** The `connect` body of a handshake (Learn: `{ claims, query, headers, subprotocols, clientCertificates }`). */
export function connectEventBody(req: IncomingMessage, claims: JWTPayload, subprotocols: readonly string[]): ConnectEventBody {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1))) {
    // The access token is the service's business, not the application's.
    if (name !== 'access_token') (query[name] ??= []).push(value);
  }
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name !== 'authorization' && values) headers[name] = values;
  }
  const claimLists: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(claims)) {
    claimLists[name] = (Array.isArray(value) ? value : [value]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return { claims: claimLists, query, headers, subprotocols: [...subprotocols], clientCertificates: [] };
}

/**
 * Reads a `connect` handler's 2xx answer: no body (204) or `null` changes nothing; otherwise a JSON object whose
 * `roles` and `groups` follow the token's rules and whose `subprotocol` is one the client offered.
 * @returns the answer, or the rule the body broke
 */
export function readConnectAnswer(body: Buffer, connectionState: string | undefined, offered: readonly string[]): ConnectAnswer | { broken: string } {
  let parsed: unknown = null;
  if (body.byteLength > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { broken: 'connect with a body that is not JSON' };
    }
  }
  if (parsed === null) return { connectionState };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { broken: 'connect with JSON that is not an object' };
  const { userId, roles, groups, subprotocol } = parsed as Record<string, unknown>;
  if (userId !== undefined && userId !== null && typeof userId !== 'string') return { broken: 'connect with a userId that is not a string' };
  if (subprotocol !== undefined && subprotocol !== null && subprotocol !== '' && !offered.includes(subprotocol as string)) {
    return { broken: `connect with the subprotocol ${JSON.stringify(subprotocol)}, which the client did not offer (${offered.join(', ') || 'none'})` };
  }
  const answer: ConnectAnswer = { connectionState };
  if (typeof userId === 'string') answer.userId = userId || null;
  if (typeof subprotocol === 'string' && subprotocol !== '') answer.subprotocol = subprotocol;
  try {
    if (roles !== undefined && roles !== null) answer.permissions = PermissionSet.fromRoles(strings(roles, 'roles'));
    if (groups !== undefined && groups !== null) {
      answer.groups = strings(groups, 'groups');
      answer.groups.forEach((group, i) => checkGroup(`groups[${i}]`, group));
    }
  } catch (error) {
    return { broken: `connect with ${(error as Error).message}` };
  }
  return answer;
}

/**
 * Reads a user event handler's 2xx answer: its body is a message to the client whose type follows the
 * Content-Type (Learn: JSON, text or binary; none means binary, as in Microsoft's emulator). No body, no message.
 * @returns the message, undefined for none, or a rule the answer broke
 */
export function readUserEventAnswer(contentType: string | undefined, body: Buffer): MessageData | undefined | { broken: string } {
  if (body.byteLength === 0) return undefined;
  if (body.byteLength > MAX_MESSAGE_BYTES) return { broken: `a message over ${MAX_MESSAGE_BYTES} bytes (1 MiB)` };
  const mediaType = mediaTypeOf(contentType) ?? 'application/octet-stream';
  if (mediaType !== 'application/json' && mediaType !== 'text/plain' && mediaType !== 'application/octet-stream') {
    return { broken: `Content-Type ${contentType}; a message must be application/json, text/plain or application/octet-stream` };
  }
  return readPayload(mediaType, body) ?? { broken: 'a body that is not JSON, but its Content-Type is application/json' };
}

function strings(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new Error(`${name} that are not an array of strings`);
  return value;
}

function cloudEventHeaders(source: EventSource, event: EventIdentity, contentType: string, sender: Sender): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'WebHook-Request-Origin': sender.origin,
    'ce-specversion': '1.0',
    'ce-type': `azure.webpubsub.${event.kind}.${event.name}`,
    'ce-source': `/hubs/${source.hub}/client/${source.connectionId}`,
    'ce-id': String(event.id),
    'ce-time': new Date().toISOString(),
    'ce-awpsversion': '1.0',
    'ce-hub': source.hub,
    'ce-connectionId': source.connectionId,
    'ce-eventName': event.name,
    'ce-signature': signature(sender.accessKey, source.connectionId),
  };
  if (source.userId !== null) headers['ce-userId'] = source.userId;
  if (source.subprotocol) headers['ce-subprotocol'] = source.subprotocol;
  if (source.connectionState) headers['ce-connectionState'] = source.connectionState;
  return headers;
}
