/**
 * How long the listener waits before it connects again: capped exponential backoff with jitter, so a page keeps
 * trying through a long outage without hammering the service, and the clients a deploy closes at once do not all
 * come back in the same instant.
 */

/** The backoff's bounds. */
export interface BackoffOptions {
  /** The delay's ceiling after the first failure, in ms; it doubles with each failure in a row (default 1000). */
  initialDelayMs?: number;
  /** The largest delay, in ms (default 30000). */
  maxDelayMs?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 1000, maxDelayMs: 30_000 };

/** Past this many doublings the ceiling is the maximum anyway; stopping here keeps `0 * 2 ** n` a number. */
const MAX_DOUBLINGS = 30;

/**
 * The delay before the next attempt, after `failures` failed attempts in a row (0 for the first retry after a
 * drop): a random value between half and all of `min(maxDelayMs, initialDelayMs * 2^failures)`. Half is kept so a
 * retry never comes at once by chance.
 *
 * @param random - a number in [0, 1) (a parameter so that tests can pin it)
 */
export function reconnectDelay(failures: number, backoff: Required<BackoffOptions>, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.min(failures, MAX_DOUBLINGS));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The backoff with its defaults filled in.
 * @throws TypeError naming the option when a bound is not a finite number ≥ 0, or the initial delay exceeds the maximum.
 */
export function resolveBackoff(backoff: BackoffOptions = {}): Required<BackoffOptions> {
  const resolved = {
    initialDelayMs: backoff.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    maxDelayMs: backoff.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
  };
  for (const name of ['initialDelayMs', 'maxDelayMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`backoff.${name} must be a finite number ≥ 0`);
  }
  if (resolved.initialDelayMs > resolved.maxDelayMs) throw new TypeError('backoff.initialDelayMs must not exceed backoff.maxDelayMs');
  return resolved;
}
