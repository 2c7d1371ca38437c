/**
 * A queue of things that arrive asynchronously (frames, events), read in order with `next()`. Tests wait for
 * what they expect instead of sleeping; the timeout only turns a hang into a clear failure.
 */

const DEFAULT_WAIT_MS = 5000;

export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiters: ((item: T) => void)[] = [];
  readonly #name: string;

  constructor(name = 'item') {
    this.#name = name;
  }

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /** How many arrived and were not read yet. */
  get size(): number {
    return this.#items.length;
  }

  /** The next item, waiting for it if needed. */
  next(waitMs = DEFAULT_WAIT_MS): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(deliver), 1);
        reject(new Error(`no ${this.#name} arrived within ${waitMs} ms`));
      }, waitMs);
      const deliver = (item: T) => {
        clearTimeout(timer);
        resolve(item);
      };
      this.#waiters.push(deliver);
    });
  }

  /** The next `count` items, in order. */
  async take(count: number, waitMs = DEFAULT_WAIT_MS): Promise<T[]> {
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(await this.next(waitMs));
    return items;
  }
}

/** Resolves with the first event of `emitter` whose arguments satisfy `accept`. */
export function nextEvent<A extends unknown[]>(
  emitter: { on(event: string, listener: (...args: A) => void): unknown; off(event: string, listener: (...args: A) => void): unknown },
  event: string,
  accept: (...args: A) => boolean = () => true,
  waitMs = DEFAULT_WAIT_MS,
): Promise<A> {
  return new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event arrived within ${waitMs} ms`));
    }, waitMs);
    const listener = (...args: A) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}

/** Polls `condition` on each turn of the event loop until it holds (for state without an event). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, waitMs = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
