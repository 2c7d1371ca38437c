/**
 * The options of a fault drill, checked once so that a bad value fails with the option's name and rule.
 */
import { InvalidArgumentError } from '../../shared/errors.js';
import { checkInteger, describe } from '../../shared/validate.js';
import { checkKnown } from '../common/optionNames.js';

/** The faults a drill can inject into REST requests. */
export const FAULT_KINDS = ['throttle', 'unavailable', 'reset', 'latency', 'lostResponse'] as const;
/** The kinds drawn from by default: the ones that fail a request without carrying it out. */
export const DEFAULT_FAULT_KINDS = ['throttle', 'unavailable', 'reset', 'latency'] as const;
/**
 * `throttle`: 429 with `Retry-After`; `unavailable`: 503; `reset`: the TCP connection is reset with no answer;
 * `latency`: the request waits `latencyMs`, then runs normally; `lostResponse`: the request is carried out (a send
 * is delivered), then the connection is reset instead of answered, so a client that retries sends it twice.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault injection for resilience tests and drills. Applies to REST requests, not to WebSocket traffic. */
export interface FaultOptions {
  /** The share of REST requests that get a fault, from 0 to 1. */
  rate: number;
  /** The faults to draw from, each equally likely (default: all but `lostResponse`). */
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

/** Fault options with every default applied. */
export type ResolvedFaults = Required<FaultOptions>;

const FAULT_OPTION_NAMES = new Set(['rate', 'kinds', 'retryAfterSeconds', 'latencyMs', 'maxFaults', 'random']);

/**
 * Applies defaults to fault options and checks them.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveFaults(faults: FaultOptions): ResolvedFaults {
  if (typeof faults !== 'object' || faults === null) throw new InvalidArgumentError('faults', 'must be an object');
  checkKnown('faults', faults, FAULT_OPTION_NAMES);
  const { rate, kinds = DEFAULT_FAULT_KINDS, retryAfterSeconds = 1, latencyMs = 500, maxFaults = Infinity, random = Math.random } = faults;
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
