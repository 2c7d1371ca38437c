/**
 * Faults for client connections, the network's and the service's failures a receiving end must survive: a TCP
 * socket cut without a close frame (`drop`), a socket that goes silent without closing (`halfOpen`), a close by
 * the service, as its REST API closes connections (`close`), and client tokens expiring (`expireTokens`). A drill
 * strikes every `everyMs` in waves: each wave picks one kind and a share of the open connections. Tests call the
 * emulator's methods for one fault at a time (`dropConnection`, `halfOpenConnection`, `expireClientTokens`).
 */
import { InvalidArgumentError } from '../../shared/errors.js';
import { checkInteger, describe } from '../../shared/validate.js';
import { checkKnown } from '../common/optionNames.js';

export const CLIENT_FAULT_KINDS = ['drop', 'halfOpen', 'close', 'expireTokens'] as const;
export type ClientFaultKind = (typeof CLIENT_FAULT_KINDS)[number];

/** A drill of client-connection faults. */
export interface ClientFaultOptions {
  /** The time between waves, in ms. */
  everyMs: number;
  /** The faults to draw from, one per wave, each equally likely (default: all four). */
  kinds?: readonly ClientFaultKind[];
  /** The share of open connections a wave strikes, from 0 to 1 (default 0.5; at least one connection). */
  share?: number;
  /** Strike only this hub's connections (default: every hub). */
  hub?: string;
  /** Stop after this many waves (default: no limit). */
  maxWaves?: number;
  /** A source of numbers in [0, 1) (default `Math.random`). */
  random?: () => number;
}

export type ResolvedClientFaults = Required<Omit<ClientFaultOptions, 'hub'>> & { hub: string | undefined };

const NAMES = new Set(['everyMs', 'kinds', 'share', 'hub', 'maxWaves', 'random']);

/**
 * Applies defaults to a client-fault drill's options and checks them.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveClientFaults(options: ClientFaultOptions): ResolvedClientFaults {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('clientFaults', 'must be an object');
  checkKnown('clientFaults', options, NAMES);
  const { everyMs, kinds = CLIENT_FAULT_KINDS, share = 0.5, hub, maxWaves = Infinity, random = Math.random } = options;
  checkInteger('clientFaults.everyMs', everyMs, 1, 2 ** 31 - 1);
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((kind) => (CLIENT_FAULT_KINDS as readonly unknown[]).includes(kind))) {
    throw new InvalidArgumentError('clientFaults.kinds', `must be a non-empty array of ${CLIENT_FAULT_KINDS.join(', ')}`);
  }
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new InvalidArgumentError('clientFaults.share', `must be a number from 0 to 1 (got ${describe(share)})`);
  }
  if (hub !== undefined && (typeof hub !== 'string' || hub === '')) throw new InvalidArgumentError('clientFaults.hub', 'must be a non-empty string');
  if (maxWaves !== Infinity) checkInteger('clientFaults.maxWaves', maxWaves, 0, Number.MAX_SAFE_INTEGER);
  if (typeof random !== 'function') throw new InvalidArgumentError('clientFaults.random', `must be a function (got ${describe(random)})`);
  return { everyMs, kinds: [...kinds], share, hub, maxWaves, random };
}

/** What a drill acts on: the emulator's connections and its one-fault methods. */
export interface ClientFaultTarget {
  connections(hub: string | undefined): readonly { connectionId: string }[];
  strike(kind: Exclude<ClientFaultKind, 'expireTokens'>, connectionId: string): void;
  expireClientTokens(): void;
}

/** Runs a drill's waves on a timer until stopped. */
export class ClientFaultDrill {
  readonly #options: ResolvedClientFaults;
  readonly #target: ClientFaultTarget;
  #timer: NodeJS.Timeout | undefined;
  #waves = 0;
  #struck = 0;

  constructor(options: ResolvedClientFaults, target: ClientFaultTarget) {
    this.#options = options;
    this.#target = target;
    this.#timer = setInterval(() => this.wave(), options.everyMs);
    // A drill must not keep the process alive.
    this.#timer.unref();
  }

  /** Connections struck so far (an `expireTokens` wave counts once). */
  get struck(): number {
    return this.#struck;
  }

  /** One wave now: a kind, then a share of the connections. */
  wave(): void {
    const { kinds, share, hub, maxWaves, random } = this.#options;
    if (this.#waves >= maxWaves) {
      this.stop();
      return;
    }
    this.#waves++;
    const kind = kinds[Math.min(kinds.length - 1, Math.floor(random() * kinds.length))]!;
    if (kind === 'expireTokens') {
      this.#target.expireClientTokens();
      this.#struck++;
      return;
    }
    const open = [...this.#target.connections(hub)];
    const count = Math.min(open.length, Math.max(1, Math.round(open.length * share)));
    for (let i = 0; i < count; i++) {
      const [picked] = open.splice(Math.floor(random() * open.length), 1);
      this.#target.strike(kind, picked!.connectionId);
      this.#struck++;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
