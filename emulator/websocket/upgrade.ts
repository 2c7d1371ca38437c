/**
 * The WebSocket handshake of `/client/hubs/{hub}` (or `/client/?hub={hub}`), on the HTTP server's `upgrade` event:
 * the path, hub, subprotocol and mode are checked first, then in `verifyClient` the access token and the hub's
 * upstream `connect` event (which may set the user, roles, groups and subprotocol, or refuse), then `ws` upgrades.
 * Every refusal is a plain HTTP answer (400, 401, 503, or the `connect` handler's status) before any upgrade.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { InvalidArgumentError } from '../../shared/errors.js';
import { MAX_MESSAGE_BYTES, checkGroup, checkPathParam } from '../../shared/validate.js';
import { bearer, type AccessTokenVerifier, type ClientIdentity } from '../common/accessTokens.js';
import type { ConnectAnswer } from '../upstream/cloudEvents.js';
import { ClientSocket } from './clientSocket.js';
import { errors } from '../common/errors.js';
import { ServiceError } from '../common/serviceError.js';
import type { WireProtocol } from '../state/store.js';

const SUBPROTOCOLS: ReadonlyMap<string, WireProtocol> = new Map([
  ['json.webpubsub.azure.v1', 'json'],
  ['json.reliable.webpubsub.azure.v1', 'reliable'],
  ['protobuf.webpubsub.azure.v1', 'protobuf'],
  ['protobuf.reliable.webpubsub.azure.v1', 'protobufReliable'],
]);
/** A JSON frame carries base64 (4/3 of the bytes) plus its envelope; 1 MiB of data must fit. */
const MAX_FRAME_BYTES = 2 * MAX_MESSAGE_BYTES;

/** What a client's handshake asks for, before its credentials are checked. */
interface HandshakeRequest {
  hub: string;
  protocol: WireProtocol;
  /** The subprotocol to answer with (a custom one is echoed; the connection is then plain). */
  subprotocol: string | undefined;
  /** Every subprotocol the client offered. */
  offered: string[];
  /** `webpubsub_mode=sendToGroup&group=<g>` of a plain client. */
  publishGroup: string | undefined;
  /** Present when the client asks to recover a reliable connection. */
  recovery: Recovery | undefined;
}

/** A reliable client's request to recover its connection: the reconnection token is its credential. */
export interface Recovery {
  connectionId: string;
  reconnectionToken: string;
}

/** A new connection's handshake, its access token verified. */
export interface Handshake extends Omit<HandshakeRequest, 'recovery'> {
  /** Chosen before the `connect` event, which names it. */
  connectionId: string;
  identity: ClientIdentity;
  /** The state the `connect` event handler set. */
  connectionState?: string;
}

/** A recovery's handshake (no access token is checked: the original may have expired meanwhile). */
export interface RecoveryHandshake extends Omit<HandshakeRequest, 'recovery' | 'publishGroup'> {
  recovery: Recovery;
}

/** What the handshake needs from the emulator. */
export interface UpgradeContext {
  verifier: AccessTokenVerifier;
  isRunning(): boolean;
  /**
   * Runs the hub's upstream `connect` event, if a handler takes it: resolves with the application's answer
   * (undefined without a handler), or rejects with the refusal the client gets.
   */
  connect(handshake: Handshake, req: IncomingMessage): Promise<ConnectAnswer | undefined>;
  /** Takes over the socket of a new connection whose handshake passed. */
  accept(socket: ClientSocket, handshake: Handshake): void;
  /** Takes over the socket of a client that asks to recover its connection. */
  recover(socket: ClientSocket, handshake: RecoveryHandshake): void;
  /** Reports an unexpected failure (the socket is then cut). */
  onError(error: unknown): void;
}

/**
 * The listener that keeps socket errors from being unhandled. One function at module level: a closure made inside
 * `handleUpgrade` would keep its scope, the request with its headers and token, alive as long as the socket.
 */
const ignoreError = (): void => {};

/** Builds the `upgrade` listener and the `ws` server it hands sockets to (noServer mode). */
export function createUpgradeHandler(context: UpgradeContext): { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const pending = new WeakMap<IncomingMessage, { request: HandshakeRequest; token: string | undefined; handshake?: Handshake }>();
  /** The token check and the `connect` event, in this order, as the service runs them. */
  const admit = async (entry: { request: HandshakeRequest; token: string | undefined }, req: IncomingMessage): Promise<Handshake> => {
    const { recovery: _none, ...request } = entry.request;
    const identity = await context.verifier.verifyClient(entry.token, { host: req.headers.host ?? '', hub: request.hub });
    const handshake: Handshake = { ...request, connectionId: randomBytes(16).toString('base64url'), identity };
    const answer = await context.connect(handshake, req);
    return answer ? withConnectAnswer(handshake, answer) : handshake;
  };
  const wss = new WebSocketServer({
    noServer: true,
    // Sockets of this class refuse a frame over maxPayload as the emulator refuses one over 1 MiB of data.
    WebSocket: ClientSocket,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, req) => {
      const entry = pending.get(req);
      return (entry?.handshake ?? entry?.request)?.subprotocol ?? false;
    },
    verifyClient: ({ req }, done) => {
      const entry = pending.get(req);
      if (!entry) return done(false, 400);
      // A recovering client's credential is its reconnection token, checked when the emulator takes the socket
      // (client-spec §1.4, §2.2): its URL needs no access token, and the one it may carry can have expired.
      if (entry.request.recovery) return done(true);
      admit(entry, req).then(
        (handshake) => {
          entry.handshake = handshake;
          done(true);
        },
        (error: unknown) => {
          if (!(error instanceof ServiceError)) context.onError(error);
          const refusal = error instanceof ServiceError ? error : errors.internal();
          done(false, refusal.status, refusal.message, { 'x-ms-error-code': refusal.code });
        },
      );
    },
  });

  return {
    handleUpgrade(req, socket, head) {
      // A client that vanishes mid-handshake must not crash the emulator.
      socket.on('error', ignoreError);
      try {
        if (!context.isRunning()) throw errors.shuttingDown();
        pending.set(req, readHandshake(req));
      } catch (error) {
        if (!(error instanceof ServiceError)) context.onError(error);
        refuse(socket, error instanceof ServiceError ? error : errors.internal());
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // A socket error must never be unhandled, whatever becomes of the socket.
        ws.on('error', ignoreError);
        const { request, handshake } = pending.get(req)!;
        pending.delete(req);
        try {
          const { recovery, publishGroup: _unused, ...rest } = request;
          if (recovery) context.recover(ws, { ...rest, recovery });
          else context.accept(ws, handshake!);
        } catch (error) {
          context.onError(error);
          ws.terminate();
        }
      });
    },
    close() {
      wss.close();
    },
  };
}

/**
 * Applies a `connect` answer (Learn, "CloudEvents extension for Azure Web PubSub"; Microsoft's emulator README,
 * "HTTP lifecycle notifications"): `userId` replaces the token's (an empty one makes the connection anonymous),
 * `roles` replace its roles, non-empty `groups` replace its groups, and `subprotocol` picks one the client offered
 * (the answer was checked against the offer).
 */
function withConnectAnswer(handshake: Handshake, answer: ConnectAnswer): Handshake {
  const { userId, permissions, groups, subprotocol, connectionState } = answer;
  const identity: ClientIdentity = {
    ...handshake.identity,
    ...(userId !== undefined && { userId }),
    ...(permissions && { permissions }),
    ...(groups && groups.length > 0 && { groups }),
  };
  if (subprotocol === undefined) return { ...handshake, identity, connectionState };
  return { ...handshake, identity, connectionState, subprotocol, protocol: SUBPROTOCOLS.get(subprotocol) ?? 'plain' };
}

function readHandshake(req: IncomingMessage): { request: HandshakeRequest; token: string | undefined } {
  if (!req.headers.host) throw errors.missingHost();
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));

  const hub = hubOf(path, query);
  try {
    checkPathParam('hub', hub);
  } catch (error) {
    throw errors.invalidPathParameter('hub', (error as Error).message);
  }

  const offered = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const known = offered.find((name) => SUBPROTOCOLS.has(name));
  const subprotocol = known ?? offered[0];
  const protocol = known ? SUBPROTOCOLS.get(known)! : 'plain';

  const connectionId = query.get('awps_connection_id');
  const reconnectionToken = query.get('awps_reconnection_token');
  return {
    request: {
      hub,
      protocol,
      subprotocol,
      offered,
      publishGroup: publishGroupOf(query, protocol),
      recovery:
        connectionId !== null || reconnectionToken !== null ? { connectionId: connectionId ?? '', reconnectionToken: reconnectionToken ?? '' } : undefined,
    },
    token: query.get('access_token') ?? bearer(req.headers.authorization),
  };
}

function hubOf(path: string, query: URLSearchParams): string {
  const match = /^\/client\/hubs\/([^/]+)\/?$/.exec(path);
  if (match) {
    try {
      return decodeURIComponent(match[1]!);
    } catch {
      throw errors.invalidPathParameter('hub', 'hub is not valid percent-encoding');
    }
  }
  if ((path === '/client' || path === '/client/') && query.get('hub')) return query.get('hub')!;
  if (path.startsWith('/clients/mqtt/')) throw errors.clientProtocolNotImplemented('MQTT');
  if (path.startsWith('/clients/socketio/')) throw errors.clientProtocolNotImplemented('Socket.IO');
  throw errors.clientPathNotFound(path);
}

function publishGroupOf(query: URLSearchParams, protocol: WireProtocol): string | undefined {
  const mode = query.get('webpubsub_mode');
  if (mode === null || mode === 'sendEvent') return undefined;
  if (mode !== 'sendToGroup') throw errors.invalidClientMode(`webpubsub_mode must be sendEvent or sendToGroup (got '${mode}')`);
  if (protocol !== 'plain') throw errors.invalidClientMode('webpubsub_mode applies to clients without a Web PubSub subprotocol');
  const group = query.get('group');
  try {
    checkGroup('group', group);
  } catch (error) {
    throw errors.invalidClientMode(`webpubsub_mode=sendToGroup needs a valid group parameter: ${(error as InvalidArgumentError).message}`);
  }
  return group;
}

/** A plain HTTP refusal written on the raw socket, then the socket is closed. */
function refuse(socket: Duplex, error: ServiceError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = error.message;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-ms-error-code: ${error.code}\r\n\r\n${body}`,
  );
}
