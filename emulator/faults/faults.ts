/**
 * Fault injection: decides, per REST request, whether a drill's fault hits it and which one.
 */
import type { FaultKind, ResolvedFaults } from './faultOptions.js';

/** A drawn fault with what the request listener needs to act on it. */
export type Fault =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'unavailable' }
  | { kind: 'reset' }
  | { kind: 'lostResponse' }
  | { kind: 'latency'; ms: number };

/** Draws faults at the configured rate, until `maxFaults` have been injected. */
export class FaultInjector {
  #faults: ResolvedFaults | undefined;
  #injected = 0;

  constructor(faults: ResolvedFaults | undefined) {
    this.#faults = faults;
  }

  /** Replaces the configuration and restarts the count; `undefined` turns faults off. */
  configure(faults: ResolvedFaults | undefined): void {
    this.#faults = faults;
    this.#injected = 0;
  }

  /** How many faults have been injected since the last `configure`. */
  get injected(): number {
    return this.#injected;
  }

  /** The fault for the next request, or undefined. */
  draw(): Fault | undefined {
    const faults = this.#faults;
    if (!faults || this.#injected >= faults.maxFaults || !(faults.random() < faults.rate)) return undefined;
    this.#injected++;
    const kind: FaultKind = faults.kinds[Math.min(faults.kinds.length - 1, Math.floor(faults.random() * faults.kinds.length))]!;
    switch (kind) {
      case 'throttle':
        return { kind, retryAfterSeconds: faults.retryAfterSeconds };
      case 'latency':
        return { kind, ms: faults.latencyMs };
      default:
        return { kind };
    }
  }
}
