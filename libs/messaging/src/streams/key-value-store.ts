/**
 * A stream task's state: a key-value map in memory, backed by a compacted changelog topic. Writes go to a
 * pending layer first; the task sends the pending layer to the changelog in the same Kafka transaction as
 * its output and input offsets, and only when that transaction commits does the pending layer become the
 * committed state. An aborted transaction drops it, so the state never holds what Kafka does not.
 *
 * Each pending write remembers the span it was made under (the task's `process` span of the record that
 * wrote it), and its changelog record carries that span's `traceparent`: a change is traceable to the
 * input that caused it.
 */
import { context, trace, type SpanContext } from '@opentelemetry/api';
import { HEADERS } from '../core/envelope';
import type { OutgoingRecord } from '../ports/kafka-client.port';
import { formatTraceparent } from '../tracing/trace-context';

/** Values are JSON: what the changelog holds and what a restore reads back. */
export type StoreValue = null | boolean | number | string | StoreValue[] | { [key: string]: StoreValue };

const DELETED = Symbol('deleted');

/**
 * The key of the barrier records a task writes to its changelog partition before it restores from it (see
 * changelog-restore.ts); no store may use it.
 */
export const BARRIER_KEY = '__stream-barrier__';

export class KeyValueStore<V extends StoreValue = StoreValue> {
  private readonly committed = new Map<string, V>();
  private readonly pending = new Map<string, V | typeof DELETED>();
  /** Per pending key, the span of its latest write (none outside a span). */
  private readonly causes = new Map<string, SpanContext>();
  /** Pending entries as they were before each write since `mark`, to undo one record's writes. */
  private journal: [key: string, had: boolean, previous: V | typeof DELETED | undefined][] = [];

  constructor(
    readonly name: string,
    /** The compacted topic this store's changes are written to. */
    readonly changelogTopic: string,
    /** The task's partition: the store writes to, and restores from, this partition of its changelog. */
    readonly partition: number,
  ) {}

  get(key: string): V | undefined {
    const value = this.pending.get(key);
    if (value === DELETED) return undefined;
    return value ?? this.committed.get(key);
  }

  put(key: string, value: V): void {
    if (key === BARRIER_KEY)
      throw new Error(`${BARRIER_KEY} is reserved for the changelog's restore barriers`);
    this.remember(key);
    this.pending.set(key, value);
    this.rememberCause(key);
  }

  delete(key: string): void {
    this.remember(key);
    this.pending.set(key, DELETED);
    this.rememberCause(key);
  }

  private rememberCause(key: string): void {
    const cause = trace.getSpanContext(context.active());
    if (cause) this.causes.set(key, cause);
  }

  /** Starts a new undo point: `rollback` undoes the writes made after it (one record's, say). */
  mark(): void {
    this.journal = [];
  }

  /** Undoes the writes since `mark`. */
  rollback(): void {
    for (const [key, had, previous] of this.journal.reverse()) {
      if (had) this.pending.set(key, previous as V | typeof DELETED);
      else this.pending.delete(key);
    }
    this.journal = [];
  }

  private remember(key: string): void {
    this.journal.push([key, this.pending.has(key), this.pending.get(key)]);
  }

  /** Committed and pending entries together, as `get` sees them. */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, value] of this.committed) if (!this.pending.has(key)) yield [key, value];
    for (const [key, value] of this.pending) if (value !== DELETED) yield [key, value];
  }

  get size(): number {
    let size = 0;
    for (const _ of this.entries()) size++;
    return size;
  }

  /** The keys written since the last commit or abort. */
  pendingKeys(): string[] {
    return [...this.pending.keys()];
  }

  /** The changelog records of the pending writes: the latest value per key, a tombstone for a delete. */
  changelogRecords(): OutgoingRecord[] {
    return [...this.pending].map(([key, value]) => {
      const traceparent = formatTraceparent(this.causes.get(key));
      return {
        key,
        value: value === DELETED ? null : Buffer.from(JSON.stringify(value)),
        partition: this.partition,
        ...(traceparent === undefined ? {} : { headers: { [HEADERS.traceparent]: traceparent } }),
      };
    });
  }

  /** The transaction committed: the pending writes are the state now. */
  commit(): void {
    for (const [key, value] of this.pending) {
      if (value === DELETED) this.committed.delete(key);
      else this.committed.set(key, value);
    }
    this.pending.clear();
    this.causes.clear();
    this.journal = [];
  }

  /** The transaction aborted: forget the pending writes. */
  abort(): void {
    this.pending.clear();
    this.causes.clear();
    this.journal = [];
  }

  /** Applies one changelog record during a restore (a null value deletes the key). */
  restore(key: string, value: Buffer | null): void {
    if (value === null) this.committed.delete(key);
    else this.committed.set(key, JSON.parse(value.toString('utf8')) as V);
  }
}
