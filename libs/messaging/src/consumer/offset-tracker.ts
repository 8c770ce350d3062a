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
  // Begun offsets, ascending, and whether each is finished: two parallel arrays rather than a Map keyed by
  // bigint, because this runs twice per consumed record and, offsets being begun in increasing order, the
  // record to complete is found at the head (always, when records run one at a time) or by binary search.
  private readonly order: bigint[] = [];
  private readonly finished: boolean[] = [];
  /** Index of the lowest unfinished offset; the finished ones before it are dropped now and then. */
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
    this.order.push(value);
    this.finished.push(false);
    this.open += 1;
  }

  /** Records that a begun record finished; the commit position may move forward. */
  complete(offset: bigint | string): void {
    const value = BigInt(offset);
    const index = this.indexOf(value);
    if (index < 0 || this.finished[index] !== false) {
      throw new RangeError(`Offset ${value} was not begun or is already complete`);
    }
    this.finished[index] = true;
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
    const result: bigint[] = [];
    for (let i = this.head; i < this.order.length; i += 1) {
      if (this.finished[i] === false) result.push(this.order[i] as bigint);
    }
    return result;
  }

  /** How many begun records are not finished. */
  get unfinishedCount(): number {
    return this.open;
  }

  /** Where `value` is among the offsets not dropped yet, or -1. */
  private indexOf(value: bigint): number {
    if (this.order[this.head] === value) return this.head;
    let low = this.head + 1;
    let high = this.order.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const candidate = this.order[middle] as bigint;
      if (candidate === value) return middle;
      if (candidate < value) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  private dropFinishedHead(): void {
    while (this.head < this.order.length && this.finished[this.head] === true) this.head += 1;
    // Compact now and then so a long-lived tracker does not keep every offset it ever saw.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.finished.splice(0, this.head);
      this.head = 0;
    }
  }
}
