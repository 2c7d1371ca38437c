/**
 * What the listener delivered, so that each notification reaches the app once: the sequence ids of the
 * connection (a replay after a recovery repeats what arrived before the drop), and the notification ids of the
 * last `capacity` deliveries (a sender that retried a send whose answer was lost sent the same notification
 * twice). Memory is bounded, so it stays flat on a page left open for weeks. Also what to acknowledge.
 */
export class Deliveries {
  readonly #capacity: number;
  /** Notification ids, oldest first (a Set iterates in insertion order). */
  readonly #ids = new Set<string>();
  /** The highest sequence id that arrived on this connection, and the highest acknowledged. */
  #received = 0;
  #acked = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** A new connection numbers its messages from 1 again; the notification ids are kept across connections. */
  newConnection(): void {
    this.#received = 0;
    this.#acked = 0;
  }

  /** The same connection on a new socket: the last ack may have died with the old one, so it is due again. */
  recovered(): void {
    this.#acked = 0;
  }

  /**
   * Records a message frame's sequence id; false when it arrived already (a replay). Frames without one (the
   * non-reliable subprotocol) are always new.
   */
  firstArrival(sequenceId: number | undefined): boolean {
    if (sequenceId === undefined) return true;
    if (sequenceId <= this.#received) return false;
    this.#received = sequenceId;
    return true;
  }

  /** Records a notification id; false when it was delivered lately (and is still remembered). */
  firstDelivery(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }

  /** How many arrived since the last acknowledgement. */
  get unacknowledged(): number {
    return this.#received - this.#acked;
  }

  /** The sequence id to acknowledge now, or undefined when the last ack covers everything. */
  ackDue(): number | undefined {
    return this.#received > this.#acked ? this.#received : undefined;
  }

  /** The ack for `sequenceId` was sent. */
  acknowledged(sequenceId: number): void {
    this.#acked = Math.max(this.#acked, sequenceId);
  }
}
