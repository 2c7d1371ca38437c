/**
 * Upstream event handlers as the service's hub settings have them: per hub, an ordered list of handlers, each with
 * a URL template (`{hub}` and `{event}` are filled in per event), the system events it takes and a user-event
 * pattern. The first handler that takes an event gets it. Options are checked once, naming the option and its rule.
 */
import { InvalidArgumentError } from '../../shared/errors.js';
import { checkInteger, checkPathParam, describe, requireString, unknownOption } from '../../shared/validate.js';

/** The system events an event handler can take. */
export const SYSTEM_EVENTS = ['connect', 'connected', 'disconnected'] as const;
/** A system event: `connect` (blocking), `connected` and `disconnected` (notifications). */
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/** One upstream event handler of a hub. */
export interface EventHandlerSettings {
  /**
   * Where the events go: an http(s) URL in which `{hub}` and `{event}` are replaced by the hub and the event name
   * (not allowed in the host, as in the service). `{event}` is `validate` for the abuse-protection request.
   */
  urlTemplate: string;
  /** The user events this handler takes: `*`, a comma-separated list of names, or none (omitted or empty). */
  userEventPattern?: string;
  /** The system events this handler takes (default none). */
  systemEvents?: readonly SystemEvent[];
}

/** A hub's settings. */
export interface HubSettings {
  /** Tried in order: the first handler that takes an event gets it. */
  eventHandlers: readonly EventHandlerSettings[];
}

/**
 * How the emulator calls event handlers. The defaults are those of Microsoft's own Web PubSub emulator
 * (Azure/azure-webpubsub, tools/emulator/README.md, "Handler validation and retries"): 408, 5xx and network
 * failures are retried after 1, 3 and 5 seconds, and one event may take 100 seconds, retries included.
 */
export interface UpstreamOptions {
  /** The most one event may take, retries included, in ms (default 100000). */
  timeoutMs?: number;
  /** The wait before each retry, in ms; its length is the number of retries (default [1000, 3000, 5000]). */
  retryDelaysMs?: readonly number[];
}

/** A handler ready for matching. */
export interface EventHandler {
  urlTemplate: string;
  /** `*` for every user event, else the names it takes (lower case; event names match case-insensitively). */
  userEvents: '*' | ReadonlySet<string>;
  systemEvents: ReadonlySet<SystemEvent>;
}

/** An event as handlers are matched against it. */
export type EventName = { system: SystemEvent } | { user: string };

/** Upstream options with every default applied. */
export type ResolvedUpstream = { timeoutMs: number; retryDelaysMs: readonly number[] };

const HANDLER_OPTION_NAMES = ['urlTemplate', 'userEventPattern', 'systemEvents'];
const UPSTREAM_OPTION_NAMES = ['timeoutMs', 'retryDelaysMs'];
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Every hub's handlers (hub names compare case-insensitively, as the service's do). */
export class EventHandlerTable {
  readonly #hubs: ReadonlyMap<string, readonly EventHandler[]>;

  constructor(hubs: ReadonlyMap<string, readonly EventHandler[]> = new Map()) {
    this.#hubs = hubs;
  }

  /** Whether the hub has any handler: a hub without one keeps the emulator's own answer to user events. */
  hasHandlers(hub: string): boolean {
    return (this.#hubs.get(hub.toLowerCase())?.length ?? 0) > 0;
  }

  /** The first handler of `hub` that takes `event`. */
  find(hub: string, event: EventName): EventHandler | undefined {
    return this.#hubs
      .get(hub.toLowerCase())
      ?.find((handler) =>
        'system' in event ? handler.systemEvents.has(event.system) : handler.userEvents === '*' || handler.userEvents.has(event.user.toLowerCase()),
      );
  }
}

/**
 * Checks the `hubs` option and builds the handler table.
 * @throws InvalidArgumentError naming the option (`options.hubs.chat.eventHandlers[0].urlTemplate`) and its rule.
 */
export function resolveHubs(hubs: unknown): EventHandlerTable {
  if (hubs === undefined) return new EventHandlerTable();
  if (!isObject(hubs)) throw new InvalidArgumentError('options.hubs', `must be an object of hub names (got ${describe(hubs)})`);
  const table = new Map<string, EventHandler[]>();
  for (const [hub, settings] of Object.entries(hubs)) {
    const argument = `options.hubs.${hub}`;
    try {
      checkPathParam('hub', hub);
    } catch (error) {
      throw new InvalidArgumentError(argument, `names a hub: ${(error as InvalidArgumentError).message}`);
    }
    if (table.has(hub.toLowerCase())) throw new InvalidArgumentError(argument, 'repeats a hub (hub names are case-insensitive)');
    if (!isObject(settings)) throw new InvalidArgumentError(argument, `must be an object { eventHandlers: [...] } (got ${describe(settings)})`);
    checkNames(argument, settings, ['eventHandlers']);
    const { eventHandlers } = settings;
    if (!Array.isArray(eventHandlers)) throw new InvalidArgumentError(`${argument}.eventHandlers`, `must be an array (got ${describe(eventHandlers)})`);
    table.set(
      hub.toLowerCase(),
      eventHandlers.map((handler, i) => resolveHandler(`${argument}.eventHandlers[${i}]`, handler)),
    );
  }
  return new EventHandlerTable(table);
}

/**
 * Applies defaults to the `upstream` option and checks it.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveUpstream(upstream: unknown): ResolvedUpstream {
  if (upstream === undefined) upstream = {};
  if (!isObject(upstream)) throw new InvalidArgumentError('options.upstream', `must be an object (got ${describe(upstream)})`);
  checkNames('options.upstream', upstream, UPSTREAM_OPTION_NAMES);
  const { timeoutMs = 100_000, retryDelaysMs = [1000, 3000, 5000] } = upstream as UpstreamOptions;
  checkInteger('options.upstream.timeoutMs', timeoutMs, 1, 2 ** 31 - 1);
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.length > 10) {
    throw new InvalidArgumentError('options.upstream.retryDelaysMs', `must be an array of at most 10 delays (got ${describe(retryDelaysMs)})`);
  }
  retryDelaysMs.forEach((delay, i) => checkInteger(`options.upstream.retryDelaysMs[${i}]`, delay, 0, 600_000));
  return { timeoutMs, retryDelaysMs: [...retryDelaysMs] };
}

/** The URL of one event: the template with `{hub}` and `{event}` filled in, percent-encoded. */
export function handlerUrl(urlTemplate: string, hub: string, event: string): string {
  return urlTemplate.replace(PLACEHOLDER, (_match, name: string) => encodeURIComponent(name.toLowerCase() === 'hub' ? hub : event));
}

function resolveHandler(argument: string, handler: unknown): EventHandler {
  if (!isObject(handler))
    throw new InvalidArgumentError(argument, `must be an object { urlTemplate, userEventPattern, systemEvents } (got ${describe(handler)})`);
  checkNames(argument, handler, HANDLER_OPTION_NAMES);
  const { urlTemplate, userEventPattern, systemEvents = [] } = handler as Partial<EventHandlerSettings>;
  checkUrlTemplate(`${argument}.urlTemplate`, urlTemplate);
  if (!Array.isArray(systemEvents) || !systemEvents.every((event) => (SYSTEM_EVENTS as readonly unknown[]).includes(event))) {
    throw new InvalidArgumentError(`${argument}.systemEvents`, `must be an array of ${SYSTEM_EVENTS.join(', ')} (got ${describe(systemEvents)})`);
  }
  return { urlTemplate, userEvents: userEventsOf(`${argument}.userEventPattern`, userEventPattern), systemEvents: new Set(systemEvents) };
}

function checkUrlTemplate(argument: string, template: unknown): asserts template is string {
  requireString(argument, template);
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!/^(hub|event)$/i.test(name!)) throw new InvalidArgumentError(argument, `may hold only the placeholders {hub} and {event} (got {${name}})`);
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, 'x'));
  } catch {
    throw new InvalidArgumentError(argument, 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      argument,
      `must be an http:// or https:// URL (got ${url.protocol}; tunnel:// and Key Vault references are not implemented)`,
    );
  }
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(template)?.[1] ?? '';
  if (authority.includes('{')) throw new InvalidArgumentError(argument, 'must not hold a placeholder in its host, as in the service');
}

function userEventsOf(argument: string, pattern: unknown): EventHandler['userEvents'] {
  if (pattern === undefined || pattern === '') return new Set();
  if (typeof pattern !== 'string')
    throw new InvalidArgumentError(argument, `must be a string: *, or event names separated by commas (got ${describe(pattern)})`);
  const names = pattern.split(',').map((name) => name.trim());
  if (names.includes('*')) return '*';
  if (names.some((name) => name === '' || name.includes('*'))) {
    throw new InvalidArgumentError(argument, `must be *, or event names separated by commas (got ${describe(pattern)})`);
  }
  return new Set(names.map((name) => name.toLowerCase()));
}

function checkNames(argument: string, value: object, known: readonly string[]): void {
  const unknown = Object.keys(value).find((name) => !known.includes(name));
  if (unknown !== undefined) throw unknownOption(`${argument}.${unknown}`, argument, known);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
