/**
 * Attempt timeouts on one Node timer per transport rather than one per request: arming and clearing a timer for
 * every request cost more than the rest of the transport's own work (about 3 µs of a request's 15 µs of client CPU
 * at concurrency 1, profiled). Every entry of one `Deadlines` has the same duration, so deadlines fall in the
 * order entries were added: a Map (which iterates in insertion order) keeps them sorted with O(1) adds and deletes,
 * and the timer only ever wakes for the oldest. Leaving is a delete; the timer is not touched until it fires.
 *
 * The timer is unref'd, as undici's own timeouts are: a request in flight holds its socket, and that keeps the
 * process alive; an idle client must not, for up to a timeout's length after its last request.
 */
export class Deadlines<T> {
  readonly #ms: number;
  readonly #expire: (entry: T, ms: number) => void;
  /** Entry → when it was added (performance.now()), oldest first. */
  readonly #added = new Map<T, number>();
  #armed = false;

  constructor(ms: number, expire: (entry: T, ms: number) => void) {
    this.#ms = ms;
    this.#expire = expire;
  }

  add(entry: T): void {
    this.#added.set(entry, performance.now());
    if (!this.#armed) this.#arm(this.#ms);
  }

  delete(entry: T): void {
    this.#added.delete(entry);
  }

  #arm(ms: number): void {
    this.#armed = true;
    setTimeout(fire, ms, this).unref();
  }

  /** Expires every entry past its deadline, then sleeps until the next one's, if any. */
  fire(): void {
    this.#armed = false;
    const now = performance.now();
    for (const [entry, added] of this.#added) {
      const left = added + this.#ms - now;
      if (left > 0) {
        this.#arm(left);
        return;
      }
      this.#added.delete(entry);
      this.#expire(entry, this.#ms);
    }
  }
}

function fire(deadlines: { fire(): void }): void {
  deadlines.fire();
}
