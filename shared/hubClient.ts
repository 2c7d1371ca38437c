/**
 * WebPubSubServiceClient: the whole data plane of one hub. Every method validates its arguments before any I/O,
 * builds its request from the operations table, sends it through the pipeline and interprets the answer.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  buildGenerateClientTokenRequest,
  type CloseConnectionOptions,
  type CloseConnectionsOptions,
  type GenerateClientTokenOptions,
  type ListConnectionsOptions,
  type PermissionOptions,
  type SendToAllOptions,
  type SendToConnectionOptions,
  type SendToGroupOptions,
  type SendToUserOptions,
} from './builders.js';
import { parseConnectionString } from './connectionString.js';
import { AzureKeyCredential, isKeyCredential, isTokenCredential, type KeyCredential, type TokenCredential } from './credentials.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';
import { InvalidArgumentError, WebPubSubError } from './errors.js';
import { createDispatcher } from './dispatcher.js';
import { createLog, parseLevel, type Log, type LogLevelOption, type WebPubSubLogger } from './logger.js';
import { CLIENT_PATHS, DEFAULT_API_VERSION, operations, type Operation } from './operations.js';
import { readMessage, toPayload, type ContentType, type Message, type Payload } from './payload.js';
import { authPolicy, compose, createTransport, retryPolicy, userAgentPolicy, type RetryOptions, type Send } from './pipeline.js';
import { buildRequest, interpret, type OperationInput, type WebPubSubRequest, type WebPubSubResponse } from './requests.js';
import { createEntraTokenSource, createKeyTokenSource, entraScopeFor, signJwt } from './tokens.js';
import { checkApiVersion, checkInteger, checkPathParam, checkSignal, describe, unknownOption, type Permission } from './validate.js';
import { VERSION } from './version.js';

export interface WebPubSubClientOptions {
  /** Default 2024-12-01. Older stable versions refuse, before any I/O, the operations and options they lack. */
  apiVersion?: string;
  /** Send requests here (e.g. API Management) while tokens keep the service's audience. */
  reverseProxyEndpoint?: string;
  retry?: RetryOptions;
  /** Per-attempt timeout (default 30000 ms). */
  timeoutMs?: number;
  /** Where log lines go (default stderr); every line is redacted first. */
  logger?: WebPubSubLogger;
  /**
   * Default: `WEBPUBSUB_LOG_LEVEL`, else `AZURE_LOG_LEVEL`, else `warning`. `debug` (or the Azure SDK's `verbose`)
   * logs each attempt: request line, status, duration.
   */
  logLevel?: LogLevelOption;
  /** Plain http is allowed to loopback hosts; anything else needs this. */
  allowInsecureConnection?: boolean;
  /**
   * An undici dispatcher to send through (e.g. a ProxyAgent). Default: a keep-alive pool owned by the client, or,
   * when HTTPS_PROXY / HTTP_PROXY apply to the endpoint, undici's EnvHttpProxyAgent (NO_PROXY honoured).
   */
  dispatcher?: Dispatcher;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, including a wait between retries. */
  signal?: AbortSignal;
}
const CALL_OPTIONS = ['signal'] as const;
/** The arguments of an operation that takes none, shared by every call. */
const NO_ARGS: readonly unknown[] = Object.freeze([]);
const withoutMessageOptions = ({ contentType: _, signal: __, ...query }: MessageOptions & object) => query;
const MESSAGE_OPTIONS = ['contentType', 'signal'] as const;
export type MessageOptions = CallOptions & { contentType?: ContentType };

export interface GroupMember {
  connectionId: string;
  userId?: string;
}

export interface ClientAccessToken {
  token: string;
  /** The WebSocket URL without the token: `wss://<host>/client/hubs/<hub>` (or the mqtt / socketio path). */
  baseUrl: string;
  /** `baseUrl?access_token=<token>`, ready for a WebSocket client. */
  url: string;
}

const OPTION_NAMES = new Set(['apiVersion', 'reverseProxyEndpoint', 'retry', 'timeoutMs', 'logger', 'logLevel', 'allowInsecureConnection', 'dispatcher']);
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A client for one hub of an Azure Web PubSub service (or the emulator).
 *
 * ```ts
 * const client = new WebPubSubServiceClient(process.env.WEBPUBSUB_CONNECTION_STRING!, 'chat');
 * await client.sendToGroup('ops', { text: 'v1.4.2 is deployed, reload' });
 * ```
 */
export class WebPubSubServiceClient {
  readonly hub: string;
  /** The service endpoint, without a trailing slash. */
  readonly endpoint: string;
  readonly apiVersion: string;
  #credential: KeyCredential | TokenCredential;
  #service: Endpoint;
  #target: Endpoint;
  #dispatcher: Dispatcher;
  #ownsDispatcher: boolean;
  #send: Send;
  #log: Log;
  #closed = false;

  /**
   * @param connectionString - `Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]`
   * @param hub - the hub name
   * @throws InvalidArgumentError for a malformed connection string, hub or option.
   */
  constructor(connectionString: string, hub: string, options?: WebPubSubClientOptions);
  /**
   * @param endpoint - e.g. `https://<name>.webpubsub.azure.com`
   * @param credential - an AzureKeyCredential or a Microsoft Entra TokenCredential
   */
  constructor(endpoint: string, credential: AzureKeyCredential | KeyCredential | TokenCredential, hub: string, options?: WebPubSubClientOptions);
  constructor(
    endpointOrConnectionString: string,
    credentialOrHub: AzureKeyCredential | KeyCredential | TokenCredential | string,
    hubOrOptions?: string | WebPubSubClientOptions,
    maybeOptions?: WebPubSubClientOptions,
  ) {
    let endpoint: unknown, credential: unknown, hub: unknown, options: WebPubSubClientOptions | undefined;
    if (typeof credentialOrHub === 'string') {
      const parsed = parseConnectionString(endpointOrConnectionString);
      [endpoint, credential, hub, options] = [
        parsed.endpoint,
        new AzureKeyCredential(parsed.accessKey),
        credentialOrHub,
        hubOrOptions as WebPubSubClientOptions,
      ];
    } else {
      [endpoint, credential, hub, options] = [endpointOrConnectionString, credentialOrHub, hubOrOptions, maybeOptions];
    }
    options ??= {};
    checkClientOptions(options);
    checkPathParam('hub', hub);
    if (!isKeyCredential(credential) && !isTokenCredential(credential)) {
      throw new InvalidArgumentError('credential', `must be an AzureKeyCredential ({ key }) or a TokenCredential ({ getToken }) (got ${describe(credential)})`);
    }
    const insecure = options.allowInsecureConnection === true;
    this.#service = parseEndpoint('endpoint', endpoint, insecure);
    this.#target = options.reverseProxyEndpoint === undefined ? this.#service : parseEndpoint('reverseProxyEndpoint', options.reverseProxyEndpoint, insecure);
    this.hub = hub;
    this.endpoint = this.#service.href;
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.#credential = credential;
    this.#log = createLog(options.logger, options.logLevel);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createDispatcher(this.#target.origin, timeoutMs);
    const tokens = isTokenCredential(credential) ? createEntraTokenSource(credential, entraScopeFor(this.endpoint)) : createKeyTokenSource(credential);
    this.#send = compose(
      [
        userAgentPolicy(`webpubsub-action/${VERSION} node/${process.versions.node}`),
        authPolicy(tokens, this.#service.href),
        retryPolicy(options.retry ?? {}, { log: this.#log, timeoutMs, describeUrl: (path) => this.#target.href + path }),
      ],
      createTransport(this.#dispatcher, { origin: this.#target.origin, pathPrefix: this.#target.pathPrefix, timeoutMs }),
    );
  }

  /** Broadcasts to every connection of the hub. */
  sendToAll(message: Message, options: SendToAllOptions & MessageOptions = {}): Promise<void> {
    return this.#sendMessage(operations.sendToAll, NO_ARGS, message, options);
  }

  /** Sends to every connection in `group`. */
  sendToGroup(group: string, message: Message, options: SendToGroupOptions & MessageOptions = {}): Promise<void> {
    return this.#sendMessage(operations.sendToGroup, [group], message, options);
  }

  /** Sends to every connection of `userId`. */
  sendToUser(userId: string, message: Message, options: SendToUserOptions & MessageOptions = {}): Promise<void> {
    return this.#sendMessage(operations.sendToUser, [userId], message, options);
  }

  /** Sends to one connection. */
  sendToConnection(connectionId: string, message: Message, options: SendToConnectionOptions & MessageOptions = {}): Promise<void> {
    return this.#sendMessage(operations.sendToConnection, [connectionId], message, options);
  }

  /** Closes every connection of the hub, except `excluded`. */
  closeAllConnections(options: CloseConnectionsOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.closeAllConnections, NO_ARGS, options) as Promise<void>;
  }

  closeGroupConnections(group: string, options: CloseConnectionsOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.closeGroupConnections, [group], options) as Promise<void>;
  }

  closeUserConnections(userId: string, options: CloseConnectionsOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.closeUserConnections, [userId], options) as Promise<void>;
  }

  closeConnection(connectionId: string, options: CloseConnectionOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.closeConnection, [connectionId], options) as Promise<void>;
  }

  /** True when the connection is open. */
  connectionExists(connectionId: string, options: CallOptions = {}): Promise<boolean> {
    return this.#invoke(operations.connectionExists, [connectionId], options) as Promise<boolean>;
  }

  /** True while the group has at least one connection (empty groups do not exist). */
  groupExists(group: string, options: CallOptions = {}): Promise<boolean> {
    return this.#invoke(operations.groupExists, [group], options) as Promise<boolean>;
  }

  /** True when the user has at least one connection. */
  userExists(userId: string, options: CallOptions = {}): Promise<boolean> {
    return this.#invoke(operations.userExists, [userId], options) as Promise<boolean>;
  }

  /** Adds a connection to a group; the service answers 404 when the connection does not exist. */
  addConnectionToGroup(group: string, connectionId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.addConnectionToGroup, [group, connectionId], options) as Promise<void>;
  }

  removeConnectionFromGroup(group: string, connectionId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.removeConnectionFromGroup, [group, connectionId], options) as Promise<void>;
  }

  removeConnectionFromAllGroups(connectionId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.removeConnectionFromAllGroups, [connectionId], options) as Promise<void>;
  }

  /** Adds the user's current connections to a group (404 when the user has none). */
  addUserToGroup(group: string, userId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.addUserToGroup, [group, userId], options) as Promise<void>;
  }

  removeUserFromGroup(group: string, userId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.removeUserFromGroup, [group, userId], options) as Promise<void>;
  }

  removeUserFromAllGroups(userId: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.removeUserFromAllGroups, [userId], options) as Promise<void>;
  }

  /** Adds every connection matching the OData `filter` to each of `groups`. */
  addConnectionsToGroups(groups: string[], filter: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.addConnectionsToGroups, NO_ARGS, options, { groups, filter }) as Promise<void>;
  }

  removeConnectionsFromGroups(groups: string[], filter: string, options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.removeConnectionsFromGroups, NO_ARGS, options, { groups, filter }) as Promise<void>;
  }

  /**
   * The connections in a group, following `nextLink` page by page. Arguments are checked at the call, before
   * iteration starts. `byPage()` gives the pages themselves, for callers that take a page at a time.
   */
  listConnectionsInGroup(
    group: string,
    options: Omit<ListConnectionsOptions, 'continuationToken'> & CallOptions = {},
  ): AsyncIterable<GroupMember> & { byPage(): AsyncIterable<GroupMember[]> } {
    const { signal, ...query } = options;
    checkSignal(signal);
    const first = this.#build(operations.listConnectionsInGroup, [group], query, { otherOptions: CALL_OPTIONS });
    const client = this;
    async function* byPage(): AsyncGenerator<GroupMember[]> {
      let request: WebPubSubRequest | undefined = first;
      while (request) {
        const page = (await client.#execute(operations.listConnectionsInGroup, request, signal)) as
          | { value?: { connectionId: string; userId?: string | null }[]; nextLink?: string | null }
          | undefined;
        // The service lists anonymous connections with `userId: null`; a member has a userId only when there is one.
        yield (page?.value ?? []).map(({ connectionId, userId }) => (userId == null ? { connectionId } : { connectionId, userId }));
        request = page?.nextLink ? { ...first, url: client.#relativeToEndpoint(page.nextLink) } : undefined;
      }
    }
    return {
      byPage,
      async *[Symbol.asyncIterator]() {
        for await (const page of byPage()) yield* page;
      },
    };
  }

  grantPermission(connectionId: string, permission: Permission, options: PermissionOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.grantPermission, [connectionId, permission], options) as Promise<void>;
  }

  revokePermission(connectionId: string, permission: Permission, options: PermissionOptions & CallOptions = {}): Promise<void> {
    return this.#invoke(operations.revokePermission, [connectionId, permission], options) as Promise<void>;
  }

  /** True when the connection has the permission (for `targetName`, a group). */
  checkPermission(connectionId: string, permission: Permission, options: PermissionOptions & CallOptions = {}): Promise<boolean> {
    return this.#invoke(operations.checkPermission, [connectionId, permission], options) as Promise<boolean>;
  }

  /** Resolves when the service reports itself healthy (HEAD /api/health answers 200). */
  getServiceStatus(options: CallOptions = {}): Promise<void> {
    return this.#invoke(operations.getServiceStatus, NO_ARGS, options) as Promise<void>;
  }

  /**
   * A token and WebSocket URL for a client. With an access key the token is signed here (`aud` is the http(s)
   * client URL); with a TokenCredential the service generates it (`:generateToken`).
   */
  async getClientAccessToken(options: GenerateClientTokenOptions & CallOptions = {}): Promise<ClientAccessToken> {
    const { signal, ...tokenOptions } = options;
    checkSignal(signal);
    const minutes = tokenOptions.expirationTimeInMinutes ?? 60;
    // Building the :generateToken request checks every option, for the key path too, which never sends it.
    const request = buildGenerateClientTokenRequest(this.hub, { ...tokenOptions, expirationTimeInMinutes: minutes, apiVersion: this.apiVersion });
    const clientPath = CLIENT_PATHS[tokenOptions.clientProtocol ?? 'default'] + this.hub;
    const token = isTokenCredential(this.#credential)
      ? ((await this.#execute(operations.generateClientToken, request, signal)) as string)
      : await signJwt(
          this.#credential.key,
          { ...(tokenOptions.roles && { role: tokenOptions.roles }), ...(tokenOptions.groups && { 'webpubsub.group': tokenOptions.groups }) },
          { audience: `${this.#service.href}/${clientPath}`, lifetimeSeconds: minutes * 60, subject: tokenOptions.userId || undefined },
        );
    const baseUrl = `${this.#service.href.replace(/^http/, 'ws')}/${clientPath}`;
    return { token, baseUrl, url: `${baseUrl}?access_token=${token}` };
  }

  /**
   * Sends a request made by a `build*Request` builder (or by hand) through the client's pipeline: auth, retry,
   * timeout, logging. It does not judge the status: a 404 comes back as a response, not an error.
   * @throws WebPubSubConnectionError, RequestTimeoutError or RequestAbortedError when no response arrives.
   */
  async sendRequest(request: WebPubSubRequest, options: CallOptions = {}): Promise<WebPubSubResponse> {
    if (typeof request?.url !== 'string' || typeof request.method !== 'string') {
      throw new InvalidArgumentError('request', 'must be { method, url, headers?, body? }, as the build*Request functions return');
    }
    checkSignal(options.signal);
    // The pipeline adds headers: work on a copy, so the caller's request can be sent again unchanged.
    const headers = Object.assign({}, request.headers);
    return this.#dispatch({ ...request, headers, url: this.#relativeToEndpoint(request.url) }, options.signal);
  }

  /**
   * Closes the client's keep-alive connections (not a dispatcher you passed in). Calls made afterwards reject with
   * code `ClientClosed`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #build(operation: Operation, args: readonly unknown[], options: object, extra?: Partial<OperationInput>): WebPubSubRequest {
    return buildRequest(operation, { hub: this.hub, args, options, apiVersion: this.apiVersion, ...extra });
  }

  /** Validates, sends and interprets one operation; a bad argument becomes a rejection, never a synchronous throw. */
  #invoke(operation: Operation, args: readonly unknown[], { signal, ...options }: CallOptions & object, extra?: Partial<OperationInput>): Promise<unknown> {
    return this.#run(operation, args, options, signal, { otherOptions: CALL_OPTIONS, ...extra });
  }

  /** The send operations: the message becomes a payload (a Readable is read to its end first), then as #invoke. */
  #sendMessage(operation: Operation, args: readonly unknown[], message: Message, options: MessageOptions & object): Promise<void> {
    if (message instanceof Readable) {
      return readMessage(message).then((bytes) => this.#sendMessage(operation, args, bytes as Buffer, options));
    }
    const { contentType, signal } = options;
    // The usual send passes no options: then they need no copy without the two that are not query parameters.
    const query = contentType === undefined && signal === undefined ? options : withoutMessageOptions(options);
    let payload: Payload;
    try {
      payload = toPayload(message, contentType);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(operation, args, query, signal, { payload, otherOptions: MESSAGE_OPTIONS }) as Promise<void>;
  }

  #run(operation: Operation, args: readonly unknown[], options: object, signal: AbortSignal | undefined, extra?: Partial<OperationInput>): Promise<unknown> {
    try {
      checkSignal(signal);
      return this.#execute(operation, this.#build(operation, args, options, extra), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends a request whose url is already a path relative to the endpoint, and whose headers the pipeline may extend. */
  #dispatch(request: WebPubSubRequest, signal: AbortSignal | undefined): Promise<WebPubSubResponse> {
    if (this.#closed) {
      const operation = request.operation ?? 'sendRequest';
      return Promise.reject(new WebPubSubError(`${operation} was called after close(): the client is closed; create a new one`, 'ClientClosed'));
    }
    return this.#send({
      operation: request.operation ?? 'sendRequest',
      method: request.method,
      path: request.url,
      headers: request.headers,
      body: request.body,
      signal,
    });
  }

  async #execute(operation: Operation, request: WebPubSubRequest, signal: AbortSignal | undefined): Promise<unknown> {
    const response = await this.#dispatch(request, signal);
    return interpret(operation, response, { operation: operation.name, method: request.method, url: this.#target.href + request.url });
  }

  /**
   * The URL a request goes to, as `sendRequest` sends it (a path the endpoint already holds, such as `/api/hubs`, is
   * not repeated): for logs and dry runs.
   */
  requestUrl(request: Pick<WebPubSubRequest, 'url'>): string {
    return this.#target.href + this.#relativeToEndpoint(request.url);
  }

  /** A request URL as a path relative to the endpoint; absolute URLs must point at the service itself. */
  #relativeToEndpoint(url: string): string {
    let path = url;
    if (/^https?:\/\//i.test(url)) {
      const parsed = new URL(url);
      if (parsed.origin !== this.#service.origin && parsed.origin !== this.#target.origin) {
        throw new WebPubSubError(`refusing to send credentials to ${parsed.origin}, which is not the service endpoint`, 'ForeignOrigin');
      }
      path = parsed.pathname + parsed.search;
    } else if (!url.startsWith('/')) {
      throw new InvalidArgumentError('request.url', 'must be a path starting with / or an absolute URL on the endpoint');
    }
    for (const prefix of [this.#service.pathPrefix, this.#target.pathPrefix]) {
      if (prefix && path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
    }
    return path;
  }
}

const RETRY_OPTION_NAMES = ['maxRetries', 'baseDelayMs', 'maxDelayMs', 'maxElapsedMs'];

function checkClientOptions(options: WebPubSubClientOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw unknownOption(`options.${name}`, 'the client', [...OPTION_NAMES]);
  }
  if (options.timeoutMs !== undefined) checkInteger('options.timeoutMs', options.timeoutMs, 1, 2 ** 31 - 1);
  if (options.retry !== undefined) {
    if (typeof options.retry !== 'object' || options.retry === null) throw new InvalidArgumentError('options.retry', 'must be an object');
    for (const name of Object.keys(options.retry)) {
      if (!RETRY_OPTION_NAMES.includes(name)) throw unknownOption(`options.retry.${name}`, 'retry', RETRY_OPTION_NAMES);
    }
  }
  const { maxRetries, baseDelayMs, maxDelayMs, maxElapsedMs } = options.retry ?? {};
  if (maxRetries !== undefined) checkInteger('options.retry.maxRetries', maxRetries, 0, 100);
  if (baseDelayMs !== undefined) checkInteger('options.retry.baseDelayMs', baseDelayMs, 0, 2 ** 31 - 1);
  if (maxDelayMs !== undefined) checkInteger('options.retry.maxDelayMs', maxDelayMs, 0, 2 ** 31 - 1);
  if (maxElapsedMs !== undefined) checkInteger('options.retry.maxElapsedMs', maxElapsedMs, 1, 2 ** 31 - 1);
  if (options.apiVersion !== undefined) checkApiVersion('options.apiVersion', options.apiVersion);
  if (options.logLevel !== undefined && (typeof options.logLevel !== 'string' || parseLevel(options.logLevel) === undefined)) {
    throw new InvalidArgumentError('options.logLevel', `must be one of debug, verbose, info, warning, error, off (got ${describe(options.logLevel)})`);
  }
}
