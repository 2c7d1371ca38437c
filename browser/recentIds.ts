/**
 * The notification ids the listener delivered lately, so that a replay or a sender's retry of the same
 * notification reaches the app once. Bounded: past `capacity` ids the oldest is forgotten, so memory stays flat
 * on a page left open for weeks.
 */
export class RecentIds {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records `id`; false when it was recorded already (and still remembered). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    // A Set iterates in insertion order: its first value is the oldest.
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }
}
