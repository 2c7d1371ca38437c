/**
 * The emulator: one HTTP server carrying the REST API and the client WebSocket endpoint, with an explicit
 * lifecycle (Closed → Starting → Running → Closing → Closed).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawData } from 'ws';
import { InvalidArgumentError } from '../shared/errors.js';
import { redact } from '../shared/logger.js';
import type { Permission } from '../shared/validate.js';
import { AccessTokenVerifier } from './common/accessTokens.js';
import { ActivityFeed, type Activity } from './common/activity.js';
import { LiveView } from './liveView/liveView.js';
import { GrantLog } from './state/grantLog.js';
import { readStateFile, StateFile, type SavedState } from './state/stateFile.js';
import { resolveHubs } from './upstream/eventHandlerSettings.js';
import { ClientConnection, type ConnectionHooks } from './websocket/clientConnection.js';
import { connectEventBody, type ConnectAnswer } from './upstream/cloudEvents.js';
import type { ClientEvent } from './websocket/clientEvent.js';
import { createClientRequestHandler } from './websocket/clientRequests.js';
import type { ClientSocket } from './websocket/clientSocket.js';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './emulatorOptions.js';
import { resolveFaults, type FaultOptions } from './faults/faultOptions.js';
import { EventHandlerFailure, closes, errors } from './common/errors.js';
import { FaultInjector } from './faults/faults.js';
import { ClientFaultDrill, resolveClientFaults, type ClientFaultOptions } from './faults/clientFaults.js';
import { createHandlers } from './rest/handlers/index.js';
import { createRequestListener } from './rest/requestListener.js';
import { Router } from './rest/routes.js';
import { isReliable, MemoryStore, type ConnectionState, type WireProtocol } from './state/store.js';
import { createUpgradeHandler, type Handshake, type RecoveryHandshake } from './websocket/upgrade.js';
import { Upstream } from './upstream/upstream.js';

/** Where the emulator is in its lifecycle. */
export type EmulatorStatus = 'Closed' | 'Starting' | 'Running' | 'Closing';

/** A snapshot of one client connection. */
export interface ConnectionInfo {
  hub: string;
  connectionId: string;
  userId: string | null;
  groups: string[];
  /**
   * `plain` (no subprotocol), `json` (json.webpubsub.azure.v1), `reliable` (json.reliable.webpubsub.azure.v1),
   * `protobuf` (protobuf.webpubsub.azure.v1) or `protobufReliable` (protobuf.reliable.webpubsub.azure.v1).
   */
  protocol: WireProtocol;
  state: ConnectionState;
}

/** The emulator's events. */
export interface EmulatorEvents {
  /** A client connected (not emitted when a reliable client recovers). */
  connected: [ConnectionInfo];
  /** A connection ended for good. */
  disconnected: [ConnectionInfo & { reason: string }];
  /** A client sent a user event (also passed to the hub's upstream event handler, when it has one). */
  event: [ClientEvent];
}

/** How long `close()` waits for clients to answer the close handshake before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;
/**
 * The largest request line plus headers the server reads (Node's default is 16 KiB). A REST token's `aud` is the
 * request URL, so a signed request carries its URL about 2.4 times: a 64 KiB URL (a long OData filter) needs
 * some 150 KiB. Beyond this, Node answers 431 itself.
 */
export const MAX_REQUEST_HEAD_BYTES = 256 * 1024;

/**
 * A local Azure Web PubSub service.
 *
 * ```ts
 * const emu = await startEmulator({ port: 0 });
 * const client = new WebPubSubServiceClient(emu.connectionString, 'chat');
 * // ...
 * await emu.close();
 * ```
 */
export class Emulator extends EventEmitter<EmulatorEvents> {
  readonly #options: ResolvedOptions;
  readonly #faults: FaultInjector;
  readonly #verifier: AccessTokenVerifier;
  readonly #upstream: Upstream;
  readonly #store = new MemoryStore();
  /** Every connection not yet ended, by id (ids are unique across hubs). */
  readonly #connections = new Map<string, ClientConnection>();
  /** Every upgraded socket, so `close()` can wait for them. */
  readonly #sockets = new Set<ClientSocket>();
  readonly #handleFrame;
  /** What every connection reports to (one object for all: an idle connection should cost little). */
  readonly #connectionHooks: ConnectionHooks;
  #clientFaults: ClientFaultDrill | undefined;
  #status: EmulatorStatus = 'Closed';
  #server: Server | undefined;
  #upgrade: ReturnType<typeof createUpgradeHandler> | undefined;
  #address: AddressInfo | undefined;
  #starting: Promise<this> | undefined;
  #closing: Promise<void> | undefined;
  /** Only when the live view or the state file needs it: without them, hooks cost a property read. */
  readonly #activity: ActivityFeed | undefined;
  /** REST grants per connection, kept for the live view and the state file. */
  readonly #grants = new GrantLog();
  #liveView: LiveView | undefined;
  #stateFile: StateFile | undefined;
  /** The state file as the constructor read it, for the first start; a later start reads what close wrote. */
  #firstState: { saved: SavedState | undefined } | undefined;

  /**
   * @throws InvalidArgumentError naming a bad option.
   */
  constructor(options: EmulatorOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    const saved = this.#options.state === undefined ? undefined : readStateFile(this.#options.state);
    this.#firstState = { saved };
    if (this.#options.hubSettings === undefined && saved?.hubSettings) {
      this.#options.hubs = savedHubs(this.#options.state!, saved);
      this.#options.hubSettings = saved.hubSettings as ResolvedOptions['hubSettings'];
    }
    if (this.#options.ui || this.#options.state !== undefined) {
      this.#activity = new ActivityFeed();
      this.#activity.subscribe((activity) => this.#follow(activity));
    }
    this.#faults = new FaultInjector(this.#options.faults);
    this.#verifier = new AccessTokenVerifier(this.#options.accessKey, { acceptEntraTokens: this.#options.acceptEntraTokens });
    this.#upstream = new Upstream({
      handlers: this.#options.hubs,
      policy: this.#options.upstream,
      accessKey: this.#options.accessKey,
      // The service's own host goes in WebHook-Request-Origin; handlers list it among their allowed endpoints.
      origin: () => (this.#address ? new URL(this.endpoint).host : ''),
      log: (line) => this.#log(line),
      warn: (line) => this.#warn(`event handler: ${line}`),
      activity: this.#activity,
    });
    this.#handleFrame = createClientRequestHandler({
      store: this.#store,
      loose: this.#options.loose,
      upstream: this.#upstream,
      onEvent: (event) => this.emit('event', event),
      onGroupsChanged: () => this.#stateFile?.changed(),
      onError: (error) => this.#logError(error, 'client frame'),
    });
    this.#connectionHooks = {
      received: this.#activity ? (from, data, isBinary) => this.#received(from, data, isBinary) : this.#handleFrame,
      ended: (ended, reason) => this.#ended(ended, reason),
      ...(this.#activity && {
        delivered: (to, message) => this.#publish(() => ({ kind: 'delivered', hub: to.hub, connectionId: to.connectionId, message })),
      }),
    };
  }

  get status(): EmulatorStatus {
    return this.#status;
  }

  /** `http://<host>:<port>`, once started. */
  get endpoint(): string {
    if (!this.#address) throw new Error(`The emulator has no endpoint while it is ${this.#status}; call start() first`);
    const { address, family, port } = this.#address;
    const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
    return `http://${family === 'IPv6' || host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The live view's page, once started with `ui`. */
  get liveViewUrl(): string | undefined {
    return this.#options.ui && this.#address ? `${this.endpoint}/` : undefined;
  }

  /** `Endpoint=<endpoint>;AccessKey=<key>;Version=1.0;`, once started. */
  get connectionString(): string {
    return `Endpoint=${this.endpoint};AccessKey=${this.#options.accessKey};Version=1.0;`;
  }

  /**
   * Listens on the configured host and port (0 picks a free port).
   * @throws Error when the emulator is not Closed, or the port cannot be bound.
   */
  start(): Promise<this> {
    if (this.#status !== 'Closed') return Promise.reject(new Error(`start() needs a Closed emulator; it is ${this.#status}`));
    this.#status = 'Starting';
    this.#starting = this.#listen().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #listen(): Promise<this> {
    const { state, ui } = this.#options;
    if (state !== undefined) this.#stateFile = this.#openStateFile(state, this.#firstState ? this.#firstState.saved : readStateFile(state));
    this.#firstState = undefined;
    const liveView = (this.#liveView = ui && this.#openLiveView(ui));
    const rest = createRequestListener({
      router: new Router(),
      handlers: createHandlers({ store: this.#store, accessKey: this.#options.accessKey }),
      verifier: this.#verifier,
      faults: this.#faults,
      loose: this.#options.loose,
      logger: this.#options.logger,
      onError: (error, what) => this.#logError(error, what),
      activity: this.#activity,
    });
    const server = createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, liveView ? (req, res) => liveView.handle(req, res) || rest(req, res) : rest);
    const upgrade = createUpgradeHandler({
      verifier: this.#verifier,
      isRunning: () => this.#status === 'Running',
      connect: (handshake, req) => this.#connect(handshake, req),
      accept: (socket, handshake) => this.#accept(socket, handshake),
      recover: (socket, handshake) => this.#recover(socket, handshake),
      onError: (error) => this.#logError(error, 'WebSocket handshake'),
    });
    server.on('upgrade', upgrade.handleUpgrade);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#options.port, this.#options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      upgrade.close();
      this.#status = 'Closed';
      throw error;
    }
    server.on('error', (error) => this.#logError(error, 'server'));
    [this.#server, this.#upgrade, this.#address] = [server, upgrade, server.address() as AddressInfo];
    this.#status = 'Running';
    this.#log(`listening on ${this.endpoint}`);
    return this;
  }

  /**
   * Stops accepting requests, closes every client socket (1001) and waits for them and the server. Safe to call
   * more than once.
   */
  close(): Promise<void> {
    if (this.#status === 'Closed') return Promise.resolve();
    if (this.#status === 'Starting')
      return this.#starting!.then(
        () => this.close(),
        () => undefined,
      );
    this.#closing ??= this.#closeNow().finally(() => {
      this.#closing = undefined;
      this.#status = 'Closed';
    });
    return this.#closing;
  }

  /** Forgets every connection, group, user and permission (closing the clients' sockets), for a clean test. */
  reset(): void {
    for (const connection of this.#connections.values()) connection.shutdown(closes.emulatorReset());
    this.#connections.clear();
    this.#store.clear();
    this.#grants.clear();
    this.#liveView?.reset();
    this.#stateFile?.changed();
  }

  /** Replaces the fault configuration at run time; `undefined` turns faults off. */
  setFaults(faults: FaultOptions | undefined): void {
    this.#faults.configure(faults === undefined ? undefined : resolveFaults(faults));
  }

  /** How many faults were injected since the faults were last set. */
  get faultsInjected(): number {
    return this.#faults.injected;
  }

  /**
   * Starts a drill of client-connection faults (drops, half-open sockets, closes, expired tokens) in waves,
   * replacing the one running; `undefined` stops it.
   * @throws InvalidArgumentError naming a bad option.
   */
  setClientFaults(options: ClientFaultOptions | undefined): void {
    const resolved = options === undefined ? undefined : resolveClientFaults(options);
    this.#clientFaults?.stop();
    this.#clientFaults =
      resolved &&
      new ClientFaultDrill(resolved, {
        connections: (hub) => this.connections(hub).filter((connection) => connection.state === 'open'),
        strike: (kind, connectionId) => {
          if (kind === 'drop') this.dropConnection(connectionId);
          else if (kind === 'halfOpen') this.halfOpenConnection(connectionId);
          else this.#connections.get(connectionId)?.close('fault drill');
        },
        expireClientTokens: () => this.expireClientTokens(),
      });
  }

  /** How many connections the client-fault drill has struck since it was set. */
  get clientFaultsStruck(): number {
    return this.#clientFaults?.struck ?? 0;
  }

  /**
   * Makes a connection's socket half-open: the emulator neither reads from it nor writes to it, and closes
   * nothing, so only a client's keep-alive can notice. A reliable client can then recover the connection. False
   * when the connection has no socket.
   */
  halfOpenConnection(connectionId: string): boolean {
    return this.#connections.get(connectionId)?.halfOpen() ?? false;
  }

  /**
   * Expires every client access token presented so far: a new connection with one is refused 401 (`The token has
   * expired`), as a page that holds its token past `exp` is. Connections already open, and their recoveries, are
   * unaffected.
   */
  expireClientTokens(): void {
    this.#verifier.expireClientTokens();
  }

  /** The connections of one hub (hub names are case-insensitive), or of all hubs. */
  connections(hub?: string): ConnectionInfo[] {
    const all = [...this.#connections.values()].map(info);
    return hub === undefined ? all : all.filter((connection) => connection.hub.toLowerCase() === hub.toLowerCase());
  }

  /**
   * Cuts a connection's socket without a close frame, as a network failure would: a reliable client can then
   * recover it. False when the connection has no socket.
   */
  dropConnection(connectionId: string): boolean {
    return this.#connections.get(connectionId)?.drop() ?? false;
  }

  async #closeNow(): Promise<void> {
    this.#status = 'Closing';
    this.#clientFaults?.stop();
    const server = this.#server!;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.#upgrade!.close();
    // The last state is written while the connections still hold it.
    await this.#stateFile?.close().catch((error: unknown) => this.#logError(error, `state file ${this.#stateFile!.path}`));
    this.#liveView?.close();
    [this.#stateFile, this.#liveView] = [undefined, undefined];
    this.#grants.clear();
    for (const connection of this.#connections.values()) connection.shutdown(closes.goingAway());
    this.#connections.clear();
    this.#store.clear();
    await Promise.all([this.#socketsClosed(), this.#upstream.close()]);
    server.closeAllConnections();
    await serverClosed;
    [this.#server, this.#upgrade, this.#address] = [undefined, undefined, undefined];
    this.#log('closed');
  }

  /** Waits for the sockets to finish their close handshake, then cuts the rest. */
  async #socketsClosed(): Promise<void> {
    const pending = [...this.#sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) resolve();
          else socket.once('close', () => resolve());
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const socket of this.#sockets) socket.terminate();
    this.#sockets.clear();
  }

  /** Tracks an upgraded socket so that `close()` can wait for it. */
  #track(socket: ClientSocket): void {
    socket.trackIn(this.#sockets);
  }

  /**
   * A reliable client comes back: its reconnection token, the one secret only that connection was given, proves
   * who it is (the service asks for nothing else). Anything that does not match is closed 1008.
   */
  #recover(socket: ClientSocket, { hub, protocol, recovery }: RecoveryHandshake): void {
    this.#track(socket);
    const connection = this.#connections.get(recovery.connectionId);
    if (
      connection?.state !== 'closed' &&
      // A connection comes back on the subprotocol it was made with.
      connection !== undefined &&
      isReliable(connection.protocol) &&
      protocol === connection.protocol &&
      connection.hub.toLowerCase() === hub.toLowerCase() &&
      sameSecret(connection.reconnectionToken, recovery.reconnectionToken)
    ) {
      connection.attach(socket);
      this.#log(`recovered ${connection.connectionId} in hub ${connection.hub}`);
    } else {
      const { code, reason } = closes.notRecoverable();
      socket.close(code, reason);
    }
  }

  /** Takes over the socket of a new connection. */
  #accept(socket: ClientSocket, handshake: Handshake): void {
    this.#track(socket);
    const { identity } = handshake;
    const hub = this.#store.hub(handshake.hub);
    const connection = new ClientConnection({
      connectionId: handshake.connectionId,
      hub: hub.name,
      userId: identity.userId,
      permissions: identity.permissions,
      protocol: handshake.protocol,
      reconnectionToken: isReliable(handshake.protocol) ? randomBytes(32).toString('base64url') : undefined,
      publishGroup: handshake.publishGroup,
      subprotocol: handshake.subprotocol,
      connectionState: handshake.connectionState,
      recoveryWindowMs: this.#options.recoveryWindowMs,
      hooks: this.#connectionHooks,
    });
    this.#connections.set(connection.connectionId, connection);
    hub.add(connection);
    for (const group of identity.groups) hub.join(connection, group);
    this.#stateFile?.restore(hub, connection);
    connection.attach(socket);
    this.#log(`connected ${connection.connectionId} (${connection.protocol}) to hub ${connection.hub}`);
    this.emit('connected', info(connection));
    this.#publish(() => ({ kind: 'connected', ...connectionActivity(connection) }));
    this.#upstream.notify(connection, 'connected');
  }

  /**
   * The hub's `connect` event, between the token check and the upgrade. A refusal or failure becomes the
   * handshake's answer; nothing of the connection exists until the event succeeds.
   */
  async #connect(handshake: Handshake, req: IncomingMessage): Promise<ConnectAnswer | undefined> {
    if (!this.#upstream.takesConnect(handshake.hub)) return undefined;
    const { hub, connectionId, identity, offered } = handshake;
    const source = { hub: this.#store.hub(hub).name, connectionId, userId: identity.userId, subprotocol: undefined, connectionState: undefined };
    let answer: ConnectAnswer;
    try {
      answer = await this.#upstream.connect(source, connectEventBody(req, identity.claims, offered));
    } catch (error) {
      if (!(error instanceof EventHandlerFailure)) throw error;
      this.#warn(`event handler: connect of connection ${connectionId} in hub ${hub}: ${error.message}`);
      throw errors.connectRefused(error);
    }
    // The emulator may have begun to close while the handler thought.
    if (this.#status !== 'Running') throw errors.shuttingDown();
    return answer;
  }

  #ended(connection: ClientConnection, reason: string): void {
    const snapshot = info(connection);
    this.#store.hub(connection.hub).remove(connection);
    this.#connections.delete(connection.connectionId);
    this.#log(`disconnected ${connection.connectionId}: ${reason}`);
    this.emit('disconnected', { ...snapshot, reason });
    this.#publish(() => ({ kind: 'disconnected', ...connectionActivity(connection), reason }));
    this.#upstream.notify(connection, 'disconnected', reason);
  }

  /** Builds and publishes an activity only while someone watches. */
  #publish(activity: () => Activity): void {
    if (this.#activity?.watched) this.#activity.publish(activity());
  }

  #received(connection: ClientConnection, data: RawData, isBinary: boolean): void | Promise<void> {
    this.#publish(() => ({
      kind: 'frame',
      hub: connection.hub,
      connectionId: connection.connectionId,
      userId: connection.userId,
      data: toBuffer(data),
      isBinary,
    }));
    return this.#handleFrame(connection, data, isBinary);
  }

  /** Keeps the grant log, and tells the state file what REST calls and connections changed (client joins tell it themselves). */
  #follow(activity: Activity): void {
    if (activity.kind === 'rest') {
      const { operation, params, status } = activity;
      const { connectionId, targetName } = params;
      const ok = typeof status === 'number' && status < 300;
      const isGrant = operation === 'grantPermission' || operation === 'revokePermission';
      if (ok && isGrant && connectionId && targetName !== undefined && this.#connections.has(connectionId)) {
        const op = operation === 'grantPermission' ? 'grant' : 'revoke';
        this.#grants.record(connectionId, { op, permission: params.permission as Permission, target: targetName });
      }
      if (ok && activity.method !== 'GET' && activity.method !== 'HEAD') this.#stateFile?.changed();
    } else if (activity.kind === 'disconnected') {
      this.#grants.forget(activity.connectionId);
      this.#stateFile?.changed();
    } else if (activity.kind === 'connected') {
      this.#stateFile?.changed();
    }
  }

  #openStateFile(path: string, saved: SavedState | undefined): StateFile {
    return new StateFile(path, saved, {
      store: this.#store,
      grants: this.#grants,
      hubSettings: this.#options.hubSettings,
      onError: (error) => this.#logError(error, `state file ${path}`),
    });
  }

  #openLiveView(options: NonNullable<ResolvedOptions['ui']>): LiveView {
    return new LiveView({
      options,
      feed: this.#activity!,
      grants: this.#grants,
      connections: () => this.#connections.values(),
      eventHandlers: () => Object.entries(this.#options.hubSettings ?? {}).map(([hub, settings]) => [hub, settings.eventHandlers]),
    });
  }

  #log(line: string): void {
    this.#options.logger?.(redact(line));
  }

  /** Something the user should know even without a logger: a failed call to their event handler. */
  #warn(line: string): void {
    if (this.#options.logger) this.#options.logger(redact(line));
    else process.stderr.write(`[webpubsub-emulator] ${redact(line)}\n`);
  }

  #logError(error: unknown, what: string): void {
    this.#warn(`error in ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

/**
 * Creates and starts an emulator.
 * @throws InvalidArgumentError for a bad option; Error when the port cannot be bound.
 */
export function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
  return new Emulator(options).start();
}

function info(connection: ClientConnection): ConnectionInfo {
  return {
    hub: connection.hub,
    connectionId: connection.connectionId,
    userId: connection.userId,
    groups: [...connection.groups],
    protocol: connection.protocol,
    state: connection.state,
  };
}

function connectionActivity({ hub, connectionId, userId, protocol, subprotocol }: ClientConnection) {
  return { hub, connectionId, userId, protocol, subprotocol };
}

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

/** The saved event handler settings, checked as the `hubs` option is, with the file named in the error. */
function savedHubs(path: string, saved: SavedState): ReturnType<typeof resolveHubs> {
  try {
    return resolveHubs(saved.hubSettings as Parameters<typeof resolveHubs>[0]);
  } catch (error) {
    throw new InvalidArgumentError('options.state', `${path} is corrupt: hubSettings: ${(error as Error).message}`);
  }
}

function sameSecret(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}
