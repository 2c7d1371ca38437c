/**
 * Attempt timeouts on one Node timer per transport rather than one per request: arming and clearing a timer for
 * every request cost more than the rest of the transport's own work (about 3 µs of a request's 15 µs of client CPU
 * at concurrency 1, profiled). Every entry of one `Deadlines` has the same duration, so deadlines fall in the
 * order entries were added: a doubly linked list through the entries themselves keeps them sorted with O(1) adds
 * and deletes and no allocation (a Map of entries cost a further 1 µs a request, hashing each new entry), and the
 * timer only ever wakes for the oldest. Leaving is an unlink; the timer is not touched until it fires.
 *
 * The timer is unref'd, as undici's own timeouts are: a request in flight holds its socket, and that keeps the
 * process alive; an idle client must not, for up to a timeout's length after its last request.
 */

/** What an entry carries for its list: its neighbours and when it was added. */
export interface DeadlineEntry {
  deadlinePrevious: DeadlineEntry | undefined;
  deadlineNext: DeadlineEntry | undefined;
  /** performance.now() when added; NaN once out of the list. */
  deadlineAdded: number;
}

export class Deadlines<T extends DeadlineEntry> {
  readonly #ms: number;
  readonly #expire: (entry: T, ms: number) => void;
  #oldest: T | undefined;
  #newest: T | undefined;
  #armed = false;

  constructor(ms: number, expire: (entry: T, ms: number) => void) {
    this.#ms = ms;
    this.#expire = expire;
  }

  add(entry: T): void {
    entry.deadlineAdded = performance.now();
    entry.deadlinePrevious = this.#newest;
    entry.deadlineNext = undefined;
    if (this.#newest) this.#newest.deadlineNext = entry;
    else this.#oldest = entry;
    this.#newest = entry;
    if (!this.#armed) this.#arm(this.#ms);
  }

  /** Takes the entry out of the list; an entry not in it (already expired or deleted) is left alone. */
  delete(entry: T): void {
    if (Number.isNaN(entry.deadlineAdded)) return;
    const { deadlinePrevious: previous, deadlineNext: next } = entry;
    if (previous) previous.deadlineNext = next;
    else this.#oldest = next as T | undefined;
    if (next) next.deadlinePrevious = previous;
    else this.#newest = previous as T | undefined;
    entry.deadlinePrevious = entry.deadlineNext = undefined;
    entry.deadlineAdded = Number.NaN;
  }

  #arm(ms: number): void {
    this.#armed = true;
    setTimeout(fire, ms, this).unref();
  }

  /** Expires every entry past its deadline, then sleeps until the next one's, if any. */
  fire(): void {
    this.#armed = false;
    const now = performance.now();
    for (let entry = this.#oldest; entry; entry = this.#oldest) {
      const left = entry.deadlineAdded + this.#ms - now;
      if (left > 0) {
        this.#arm(left);
        return;
      }
      this.delete(entry);
      this.#expire(entry, this.#ms);
    }
  }
}

function fire(deadlines: { fire(): void }): void {
  deadlines.fire();
}
