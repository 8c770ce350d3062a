/**
 * The commit position of one partition when records finish out of order.
 *
 * Kafka stores one number per partition: the offset of the next record to read. When records of a
 * partition are handled concurrently (different keys in parallel), a later record may finish before an
 * earlier one; committing past the earlier one would lose it if the process died. The tracker therefore
 * only ever offers the lowest offset that is still unfinished (or one past the last record begun, when all
 * are finished), so everything below the committed offset is finished.
 *
 * Offsets are bigints: Kafka offsets are 64-bit and may exceed Number.MAX_SAFE_INTEGER.
 */
export class OffsetTracker {
  /** Begun offsets, ascending; `true` once finished. Finished ones at the head are dropped eagerly. */
  private readonly pending = new Map<bigint, boolean>();
  private readonly order: bigint[] = [];
  private head = 0;
  private lastBegun: bigint | undefined;
  private open = 0;

  /** Records that a record is being handled. Offsets must be begun in increasing order. */
  begin(offset: bigint | string): void {
    const value = BigInt(offset);
    if (this.lastBegun !== undefined && value <= this.lastBegun) {
      throw new RangeError(`Offset ${value} begun after ${this.lastBegun}: offsets must increase`);
    }
    this.lastBegun = value;
    this.pending.set(value, false);
    this.order.push(value);
    this.open += 1;
  }

  /** Records that a begun record finished; the commit position may move forward. */
  complete(offset: bigint | string): void {
    const value = BigInt(offset);
    if (this.pending.get(value) !== false) {
      throw new RangeError(`Offset ${value} was not begun or is already complete`);
    }
    this.pending.set(value, true);
    this.open -= 1;
    this.dropFinishedHead();
  }

  /**
   * The offset to commit (the next one to read after a restart): the lowest unfinished offset, or one past
   * the last begun when none is unfinished. `undefined` before anything was begun.
   */
  committable(): bigint | undefined {
    if (this.lastBegun === undefined) return undefined;
    const lowest = this.order[this.head];
    return lowest ?? this.lastBegun + 1n;
  }

  /** Begun and not finished, ascending: what a shutdown abandons if it cannot wait. */
  unfinished(): bigint[] {
    return this.order.slice(this.head).filter((offset) => this.pending.get(offset) === false);
  }

  /** How many begun records are not finished. */
  get unfinishedCount(): number {
    return this.open;
  }

  private dropFinishedHead(): void {
    while (this.head < this.order.length) {
      const offset = this.order[this.head] as bigint;
      if (this.pending.get(offset) !== true) break;
      this.pending.delete(offset);
      this.head += 1;
    }
    // Compact now and then so a long-lived tracker does not keep every offset it ever saw.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
