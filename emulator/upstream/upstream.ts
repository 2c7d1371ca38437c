/**
 * The emulator's calls to the application's upstream event handlers: which handler takes an event, the
 * abuse-protection handshake before a URL's first use, and the request itself with retries and a time limit.
 *
 * - `connect` and user events are blocking: the caller awaits the answer. `connected` and `disconnected` are
 *   notifications: sent, and a failure only logged (Learn, "CloudEvents extension for Azure Web PubSub").
 * - Abuse protection (CloudEvents HTTP webhook spec §4): `OPTIONS` to the URL with `{event}` = `validate`,
 *   carrying `WebHook-Request-Origin` (the emulator's host:port) and `ce-awpsversion`; the handler must answer 2xx
 *   with `WebHook-Allowed-Origin` of `*` or that origin. A success holds for a minute; a failure is tried again on
 *   the next event. A 404 to OPTIONS is asked again with GET (Microsoft's emulator, `AbuseProtector.cs`).
 * - Retries: 408, 5xx and network failures, after each delay of `retryDelaysMs`; not 429, other 4xx or a timeout.
 *   One event, retries included, takes at most `timeoutMs`. The defaults are those Microsoft's own emulator
 *   documents (Azure/azure-webpubsub tools/emulator README, "Handler validation and retries"); Learn documents
 *   none for the service.
 *
 * Every call is asynchronous and has its own deadline, so a handler that is down or slow holds up only the events
 * waiting for it: never other connections, other hubs or the REST API.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import {
  allowsOrigin,
  readConnectAnswer,
  readUserEventAnswer,
  systemEventRequest,
  userEventRequest,
  validationHeaders,
  type CloudEventRequest,
  type ConnectAnswer,
  type ConnectEventBody,
  type EventSource,
} from './cloudEvents.js';
import { withoutSecrets, type ActivityFeed } from '../common/activity.js';
import { EventHandlerFailure, eventHandlerFailures } from '../common/errors.js';
import { handlerUrl, type EventHandler, type EventHandlerTable, type ResolvedUpstream } from './eventHandlerSettings.js';
import type { MessageData } from '../state/outboundMessage.js';

/** A connection as the upstream calls see it: its event source, with a state they update and an event counter. */
export interface UpstreamConnection extends EventSource {
  connectionState: string | undefined;
  /** The next `ce-id` of this connection (`connect` used 0). */
  nextEventId(): number;
}

/** What a user event came to. */
export type UserEventOutcome = { ok: true; message: MessageData | undefined } | { ok: false };

/** What the upstream calls need from the emulator. */
export interface UpstreamContext {
  handlers: EventHandlerTable;
  policy: ResolvedUpstream;
  accessKey: string;
  /** The emulator's host:port (known once it listens). */
  origin(): string;
  /** One line per call, when the emulator logs. */
  log(line: string): void;
  /** A failed call, always reported. */
  warn(line: string): void;
  /** Told of every event handler call while anyone watches. */
  activity?: ActivityFeed;
}

interface Answer {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Buffer;
}

/** The most an answer may carry: a connect answer or one message (1 MiB) with room to spare. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
/** How long a successful abuse-protection check holds before the URL is checked again. */
const VALIDATION_TTL_MS = 60_000;
/** How long one abuse-protection request may take (Microsoft's emulator: 10 s). */
const VALIDATION_TIMEOUT_MS = 10_000;
const RETRIED_CODES = /^(E[A-Z]+|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/;

/** Calls the event handlers of every hub. */
export class Upstream {
  readonly #context: UpstreamContext;
  /** The HTTP connections and the abort of the calls under way, renewed by `close()` for a restart. */
  #session = newSession();
  /** Abuse-protection results by validation URL: until when a success holds, or the check under way. */
  readonly #validations = new Map<string, { validUntil: number; pending?: Promise<void> }>();

  constructor(context: UpstreamContext) {
    this.#context = context;
  }

  /** Whether a handler of `hub` takes `connect`. */
  takesConnect(hub: string): boolean {
    return this.#context.handlers.find(hub, { system: 'connect' }) !== undefined;
  }

  /**
   * The blocking `connect` event of a handshake.
   * @throws EventHandlerFailure when the handler refuses (with its status), fails or answers nonsense
   */
  async connect(source: EventSource, body: ConnectEventBody): Promise<ConnectAnswer> {
    const handler = this.#context.handlers.find(source.hub, { system: 'connect' })!;
    const url = handlerUrl(handler.urlTemplate, source.hub, 'connect');
    const answer = await this.#call(handler, source.hub, url, systemEventRequest(source, { name: 'connect', id: 0 }, body, this.#sender()));
    const read = readConnectAnswer(answer.body, header(answer.headers, 'ce-connectionstate'), body.subprotocols);
    if ('broken' in read) throw eventHandlerFailures.badAnswer(url, read.broken);
    return read;
  }

  /**
   * A blocking user event. Undefined when the hub has no event handler at all: the emulator then answers the
   * client itself, as it did before handlers existed. A successful answer may set the connection's state and
   * carry a message for the client.
   */
  userEvent(connection: UpstreamConnection, event: string, data: MessageData): Promise<UserEventOutcome> | undefined {
    const { handlers } = this.#context;
    if (!handlers.hasHandlers(connection.hub)) return undefined;
    const where = `user event '${event}' of connection ${connection.connectionId} in hub ${connection.hub}`;
    const handler = handlers.find(connection.hub, { user: event });
    if (!handler) {
      this.#context.warn(`${where}: ${eventHandlerFailures.noHandler(connection.hub, event).message}`);
      return Promise.resolve({ ok: false });
    }
    const url = handlerUrl(handler.urlTemplate, connection.hub, event);
    const cloudEvent = userEventRequest(connection, { name: event, id: connection.nextEventId() }, data, this.#sender());
    return this.#call(handler, connection.hub, url, cloudEvent)
      .then((answer): UserEventOutcome => {
        const message = readUserEventAnswer(header(answer.headers, 'content-type'), answer.body);
        if (message && 'broken' in message) throw eventHandlerFailures.badAnswer(url, message.broken);
        const state = header(answer.headers, 'ce-connectionstate');
        if (state !== undefined) connection.connectionState = state;
        return { ok: true, message };
      })
      .catch((error: unknown): UserEventOutcome => {
        this.#context.warn(`${where}: ${describeFailure(error)}`);
        return { ok: false };
      });
  }

  /** A `connected` or `disconnected` notification: sent when a handler takes it, a failure only logged. */
  notify(connection: UpstreamConnection, event: 'connected' | 'disconnected', reason?: string): void {
    const handler = this.#context.handlers.find(connection.hub, { system: event });
    if (!handler) return;
    const url = handlerUrl(handler.urlTemplate, connection.hub, event);
    const body = event === 'disconnected' ? { reason } : {};
    const cloudEvent = systemEventRequest(connection, { name: event, id: connection.nextEventId() }, body, this.#sender());
    this.#call(handler, connection.hub, url, cloudEvent).catch((error: unknown) => {
      this.#context.warn(`${event} of connection ${connection.connectionId} in hub ${connection.hub}: ${describeFailure(error)}`);
    });
  }

  /** Ends every call under way and closes the HTTP connections to handlers; the emulator may start again. */
  async close(): Promise<void> {
    const { agent, closing } = this.#session;
    this.#session = newSession();
    this.#validations.clear();
    closing.abort();
    await agent.destroy();
  }

  #sender() {
    return { accessKey: this.#context.accessKey, origin: this.#context.origin() };
  }

  /**
   * Sends one event after the URL passed abuse protection, retrying as the policy says.
   * @throws EventHandlerFailure unless the handler answered 2xx
   */
  async #call(handler: EventHandler, hub: string, url: string, cloudEvent: CloudEventRequest): Promise<Answer> {
    const deadline = Date.now() + this.#context.policy.timeoutMs;
    const session = this.#session;
    const report = this.#context.activity?.watched ? this.#reporter(hub, url, cloudEvent) : undefined;
    await this.#validate(session, handlerUrl(handler.urlTemplate, hub, 'validate')).catch(report?.failed);
    const answer = await this.#send(session, url, 'POST', cloudEvent, deadline).catch(report?.failed);
    report?.answered(answer.status);
    this.#context.log(`event handler ${url} (${cloudEvent.headers['ce-type']}) -> ${answer.status}`);
    if (answer.status < 200 || answer.status > 299) throw eventHandlerFailures.answered(url, answer.status);
    return answer;
  }

  /** Tells the activity feed how one call went: its status, or that it failed. */
  #reporter(hub: string, url: string, cloudEvent: CloudEventRequest) {
    const [activity, started, event] = [this.#context.activity!, performance.now(), cloudEvent.headers['ce-eventName'] ?? ''];
    const publish = (status: number | undefined, error?: string) =>
      activity.publish({ kind: 'upstream', hub, event, url: withoutSecrets(url), status, ms: performance.now() - started, error });
    return {
      answered: (status: number) => publish(status),
      failed: (error: unknown): never => {
        publish(undefined, error instanceof Error ? error.message : String(error));
        throw error;
      },
    };
  }

  /** Abuse protection before a URL's first use; concurrent events share one check. */
  async #validate(session: Session, url: string): Promise<void> {
    const known = this.#validations.get(url);
    if (known?.pending) return known.pending;
    if (known && known.validUntil > Date.now()) return;
    const pending = this.#checkOrigin(session, url).then(
      () => void this.#validations.set(url, { validUntil: Date.now() + VALIDATION_TTL_MS }),
      (error: unknown) => {
        this.#validations.delete(url);
        throw error;
      },
    );
    this.#validations.set(url, { validUntil: 0, pending });
    return pending;
  }

  async #checkOrigin(session: Session, url: string): Promise<void> {
    const origin = this.#context.origin();
    const deadline = Date.now() + VALIDATION_TIMEOUT_MS;
    const validation = { headers: validationHeaders(origin), body: Buffer.alloc(0) };
    let answer = await this.#send(session, url, 'OPTIONS', validation, deadline);
    if (answer.status === 404) answer = await this.#send(session, url, 'GET', validation, deadline);
    this.#context.log(`event handler ${url} (abuse protection, origin ${origin}) -> ${answer.status}`);
    if (!allowsOrigin(answer.status, answer.headers['webhook-allowed-origin'], origin)) throw eventHandlerFailures.originNotAllowed(url, origin);
  }

  /** One request with the policy's retries; the answer of the last attempt, whatever its status. */
  async #send(session: Session, url: string, method: 'POST' | 'OPTIONS' | 'GET', { headers, body }: CloudEventRequest, deadline: number): Promise<Answer> {
    const delays = this.#context.policy.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      let outcome: Answer | EventHandlerFailure;
      try {
        outcome = await this.#attempt(session, url, method, headers, method === 'POST' ? body : undefined, deadline);
      } catch (error) {
        if (session.closing.signal.aborted) throw eventHandlerFailures.shuttingDown();
        if ((error as Error).name === 'TimeoutError' || Date.now() >= deadline) throw eventHandlerFailures.timedOut(url, this.#context.policy.timeoutMs);
        if (error instanceof EventHandlerFailure) throw error;
        const code = errorCode(error);
        if (code === 'UND_ERR_INVALID_ARG') throw eventHandlerFailures.unsendable(url, (error as Error).message);
        // An error before any answer that is not the network's (a header undici refuses, say) cannot be retried.
        if (!RETRIED_CODES.test(code)) throw eventHandlerFailures.unreachable(url, code);
        outcome = eventHandlerFailures.unreachable(url, code);
      }
      const retried = outcome instanceof EventHandlerFailure || outcome.status === 408 || outcome.status >= 500;
      const delay = delays[attempt];
      if (!retried || delay === undefined || Date.now() + delay >= deadline) {
        if (outcome instanceof EventHandlerFailure) throw outcome;
        return outcome;
      }
      try {
        await sleep(delay, undefined, { signal: session.closing.signal });
      } catch {
        throw eventHandlerFailures.shuttingDown();
      }
    }
  }

  async #attempt(session: Session, url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, deadline: number): Promise<Answer> {
    // Ends at the deadline or when the emulator closes (AbortSignal.any would need Node 20.3).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The event handler timed out', 'TimeoutError')), Math.max(1, deadline - Date.now()));
    const closing = () => controller.abort();
    session.closing.signal.addEventListener('abort', closing, { once: true });
    try {
      const response = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: session.agent, signal: controller.signal });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).byteLength;
        if (size > MAX_ANSWER_BYTES) {
          response.body.destroy();
          throw eventHandlerFailures.tooLarge(url, MAX_ANSWER_BYTES);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
    } finally {
      clearTimeout(timer);
      session.closing.signal.removeEventListener('abort', closing);
    }
  }
}

/** The HTTP connections to handlers, and what aborts the calls on them. */
interface Session {
  agent: Agent;
  closing: AbortController;
}

function newSession(): Session {
  return { agent: new Agent({ keepAliveTimeout: 4_000 }), closing: new AbortController() };
}

function header(headers: Answer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

function errorCode(error: unknown): string {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  // undici reports a reset as UND_ERR_SOCKET with the system error as its cause, which says more.
  if (typeof cause?.code === 'string') return cause.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN';
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
