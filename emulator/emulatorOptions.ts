/**
 * The emulator's options, checked once at `startEmulator` so that a bad value fails with the option's name and
 * rule before anything listens.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../shared/errors.js';
import { checkInteger, describe, requireString } from '../shared/validate.js';
import { resolveHubs, resolveUpstream, type EventHandlerTable, type HubSettings, type ResolvedUpstream, type UpstreamOptions } from './eventHandlerSettings.js';

/** The faults a drill can inject into REST requests. */
export const FAULT_KINDS = ['throttle', 'unavailable', 'reset', 'latency'] as const;
/**
 * `throttle`: 429 with `Retry-After`; `unavailable`: 503; `reset`: the TCP connection is reset with no answer;
 * `latency`: the request waits `latencyMs`, then runs normally.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault injection for resilience tests and drills. Applies to REST requests, not to WebSocket traffic. */
export interface FaultOptions {
  /** The share of REST requests that get a fault, from 0 to 1. */
  rate: number;
  /** The faults to draw from, each equally likely (default: all four). */
  kinds?: readonly FaultKind[];
  /** `Retry-After` of a 429, in whole seconds (default 1). */
  retryAfterSeconds?: number;
  /** The delay a `latency` fault adds, in ms (default 500). */
  latencyMs?: number;
  /** Inject at most this many faults, then none (default: no limit). Makes drills and tests deterministic. */
  maxFaults?: number;
  /** A source of numbers in [0, 1) (default `Math.random`); tests pass their own. */
  random?: () => number;
}

/** Where the emulator writes its log lines (each already free of keys and tokens). */
export type EmulatorLogger = (line: string) => void;

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port (default 0: any free port; the CLI defaults to 8080). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The access key clients sign with (default: 32 random bytes, base64). */
  accessKey?: string;
  /** Fault injection for REST requests (default: none). */
  faults?: FaultOptions;
  /**
   * Ignore what the emulator does not implement instead of refusing it: unknown query parameters, api-versions
   * other than the stable ones (answered as 2024-12-01), parameters newer than the request's api-version, and
   * unknown WebSocket frame types (default false).
   */
  loose?: boolean;
  /** How long a dropped reliable connection waits for its client to recover, in ms (default 30000, as the service). */
  recoveryWindowMs?: number;
  /** Receives one line per REST request and WebSocket connection, plus errors (default: errors to stderr only). */
  logger?: EmulatorLogger;
  /**
   * Accept Microsoft Entra bearer tokens on REST calls (default false): a JWT not signed with HS256 passes when its
   * `aud` is the Web PubSub resource (`https://webpubsub.azure.com` or `.azure.cn`) and it has not expired. The
   * emulator cannot check Entra's signature, so this is for tests of an Entra client path, never a security boundary.
   */
  acceptEntraTokens?: boolean;
  /** Upstream event handlers per hub: `{ chat: { eventHandlers: [{ urlTemplate, userEventPattern, systemEvents }] } }`. */
  hubs?: Record<string, HubSettings>;
  /** How event handlers are called: `timeoutMs` per event and `retryDelaysMs` (defaults as Microsoft's emulator). */
  upstream?: UpstreamOptions;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  accessKey: string;
  faults: ResolvedFaults | undefined;
  loose: boolean;
  recoveryWindowMs: number;
  logger: EmulatorLogger | undefined;
  acceptEntraTokens: boolean;
  hubs: EventHandlerTable;
  upstream: ResolvedUpstream;
}

/** Fault options with every default applied. */
export type ResolvedFaults = Required<FaultOptions>;

const OPTION_NAMES = new Set(['port', 'host', 'accessKey', 'faults', 'loose', 'recoveryWindowMs', 'logger', 'acceptEntraTokens', 'hubs', 'upstream']);
const FAULT_OPTION_NAMES = new Set(['rate', 'kinds', 'retryAfterSeconds', 'latencyMs', 'maxFaults', 'random']);
/** The service keeps a dropped reliable connection at least this long. */
export const DEFAULT_RECOVERY_WINDOW_MS = 30_000;

/**
 * Applies defaults and checks every option.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  checkKnown('options', options, OPTION_NAMES);
  const {
    port = 0,
    host = '127.0.0.1',
    accessKey,
    faults,
    loose = false,
    recoveryWindowMs = DEFAULT_RECOVERY_WINDOW_MS,
    logger,
    acceptEntraTokens = false,
  } = options;
  checkInteger('options.port', port, 0, 65535);
  requireString('options.host', host);
  if (accessKey !== undefined) requireString('options.accessKey', accessKey);
  if (typeof loose !== 'boolean') throw new InvalidArgumentError('options.loose', `must be a boolean (got ${describe(loose)})`);
  if (typeof acceptEntraTokens !== 'boolean') {
    throw new InvalidArgumentError('options.acceptEntraTokens', `must be a boolean (got ${describe(acceptEntraTokens)})`);
  }
  checkInteger('options.recoveryWindowMs', recoveryWindowMs, 0, 2 ** 31 - 1);
  if (logger !== undefined && typeof logger !== 'function') {
    throw new InvalidArgumentError('options.logger', `must be a function (got ${describe(logger)})`);
  }
  return {
    port,
    host,
    accessKey: accessKey ?? randomBytes(32).toString('base64'),
    faults: faults === undefined ? undefined : resolveFaults(faults),
    loose,
    recoveryWindowMs,
    logger,
    acceptEntraTokens,
    hubs: resolveHubs(options.hubs),
    upstream: resolveUpstream(options.upstream),
  };
}

/**
 * Applies defaults to fault options and checks them.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveFaults(faults: FaultOptions): ResolvedFaults {
  if (typeof faults !== 'object' || faults === null) throw new InvalidArgumentError('faults', 'must be an object');
  checkKnown('faults', faults, FAULT_OPTION_NAMES);
  const { rate, kinds = FAULT_KINDS, retryAfterSeconds = 1, latencyMs = 500, maxFaults = Infinity, random = Math.random } = faults;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new InvalidArgumentError('faults.rate', `must be a number from 0 to 1 (got ${describe(rate)})`);
  }
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((kind) => (FAULT_KINDS as readonly unknown[]).includes(kind))) {
    throw new InvalidArgumentError('faults.kinds', `must be a non-empty array of ${FAULT_KINDS.join(', ')}`);
  }
  checkInteger('faults.retryAfterSeconds', retryAfterSeconds, 0, 86_400);
  checkInteger('faults.latencyMs', latencyMs, 0, 600_000);
  if (maxFaults !== Infinity) checkInteger('faults.maxFaults', maxFaults, 0, Number.MAX_SAFE_INTEGER);
  if (typeof random !== 'function') throw new InvalidArgumentError('faults.random', `must be a function (got ${describe(random)})`);
  return { rate, kinds: [...kinds], retryAfterSeconds, latencyMs, maxFaults, random };
}

function checkKnown(argument: string, value: object, known: ReadonlySet<string>): void {
  for (const name of Object.keys(value)) {
    if (!known.has(name)) throw new InvalidArgumentError(`${argument}.${name}`, `is not an option (known: ${[...known].join(', ')})`);
  }
}
