/**
 * Watches one consumer during one measured window: when the first record of the window arrived, when the
 * commit covering the window's last record on every partition succeeded, and per record the time from its
 * Kafka timestamp (CreateTime, set by the producer at send time) to the commit that covered it.
 *
 * Offsets are handled as numbers: a benchmark topic stays far below 2^53 records.
 */
import type { ConsumeObserver } from '../src/adapters/kafkajs/bench/raw-kafkajs.baseline';

export interface Window {
  /** First offset of the window, per partition. */
  from: Map<number, number>;
  /** One past the window's last offset, per partition (the end offsets once the window was produced). */
  until: Map<number, number>;
}

export class ConsumeProbe implements ConsumeObserver {
  private window: Window | undefined;
  /** Per partition: offsets seen in the window and not yet committed, with their timestamps, in order. */
  private readonly pending = new Map<number, { offsets: number[]; timestamps: number[]; head: number }>();
  private readonly highestSeen = new Map<number, number>();
  private readonly committedTo = new Map<number, number>();
  private latencies: number[] = [];
  private commits = 0;
  private startedAt: number | undefined;
  private finishedAt: number | undefined;
  private finish: (() => void) | undefined;

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  /**
   * Starts a measured window; what was seen or committed before is forgotten. Records below `from` (the
   * warm-up) are neither timed nor counted. `until` may be given later with `closeWindow`.
   */
  openWindow(from: Map<number, number>): void {
    this.window = { from, until: new Map() };
    this.pending.clear();
    this.highestSeen.clear();
    this.latencies = [];
    this.commits = 0;
    this.startedAt = undefined;
    this.finishedAt = undefined;
  }

  /** Resolves once every partition's commit reached `until`. */
  closeWindow(until: Map<number, number>): Promise<void> {
    if (!this.window) throw new Error('closeWindow before openWindow');
    this.window.until = until;
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    this.checkFinished();
    return done;
  }

  seen(partition: number, offset: string, timestampMs: number): void {
    const from = this.window?.from.get(partition);
    const value = Number(offset);
    if (from === undefined || value < from) return;
    // A record fetched again (after a rebalance) keeps its first arrival.
    if (value <= (this.highestSeen.get(partition) ?? -1)) return;
    this.highestSeen.set(partition, value);
    this.startedAt ??= this.now();
    let queue = this.pending.get(partition);
    if (!queue) {
      queue = { offsets: [], timestamps: [], head: 0 };
      this.pending.set(partition, queue);
    }
    queue.offsets.push(value);
    queue.timestamps.push(timestampMs);
  }

  committed(partition: number, nextOffset: string): void {
    if (!this.window) return;
    const at = this.now();
    const next = Number(nextOffset);
    this.commits += 1;
    this.committedTo.set(partition, Math.max(next, this.committedTo.get(partition) ?? 0));
    const queue = this.pending.get(partition);
    if (queue) {
      while (queue.head < queue.offsets.length && (queue.offsets[queue.head] as number) < next) {
        this.latencies.push(at - (queue.timestamps[queue.head] as number));
        queue.head += 1;
      }
    }
    this.checkFinished();
  }

  /** Records per second over the window: from the first record's arrival to the last commit. */
  throughput(): number {
    if (this.startedAt === undefined || this.finishedAt === undefined) return Number.NaN;
    return this.measuredCount() / ((this.finishedAt - this.startedAt) / 1_000);
  }

  /** Milliseconds from produce (record timestamp) to commit, at quantile `q` (0..1), nearest rank. */
  latency(q: number): number {
    return quantile(this.latencies, q);
  }

  /** Records the window holds. */
  measuredCount(): number {
    if (!this.window) return 0;
    let count = 0;
    for (const [partition, until] of this.window.until)
      count += until - (this.window.from.get(partition) ?? 0);
    return count;
  }

  /** Offset commits during the window, for the commit-frequency profile. */
  commitCount(): number {
    return this.commits;
  }

  private checkFinished(): void {
    if (!this.window || this.window.until.size === 0 || this.finishedAt !== undefined) return;
    for (const [partition, until] of this.window.until) {
      if ((this.committedTo.get(partition) ?? 0) < until) return;
    }
    this.finishedAt = this.now();
    this.finish?.();
  }
}

/** Nearest-rank quantile of unsorted samples; NaN for none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}
