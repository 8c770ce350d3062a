/**
 * What a stream processor runs: for each input topic, the stores each of its tasks keeps and what the task
 * does with a record. A task is one partition of one input topic; it owns that partition of each of its
 * stores' changelogs, and (with exactly-once) its own transactional producer.
 */
import type { ConsumedRecord, OutgoingRecord } from '../ports/kafka-client.port';
import type { KeyValueStore, StoreValue } from './key-value-store';

/**
 * `exactly-once`: each transaction holds a task's output records, its changelog records and its input
 * offsets, and commits all or nothing (readers downstream must read `read_committed`). `at-least-once`: the
 * same work with an idempotent producer and a plain offset commit after the sends; a crash between the two
 * processes records again, and the state counts them twice.
 */
export type ProcessingGuarantee = 'exactly-once' | 'at-least-once';

/** What a task's code can reach while it handles records. */
export interface TaskContext {
  readonly topic: string;
  readonly partition: number;
  /** One of the stores the source declared. */
  store<V extends StoreValue>(name: string): KeyValueStore<V>;
  /** Sends a record in the task's current transaction (or, at-least-once, with its batch). */
  forward(topic: string, record: OutgoingRecord): void;
}

export interface StreamSource {
  /** The input topic. */
  topic: string;
  /**
   * The stores of each task of this source. A store's changelog is `<applicationId>-<store>-changelog`,
   * compacted, with as many partitions as the input topic: task `p` writes and restores partition `p`.
   */
  stores: readonly string[];
  /**
   * Handles one record: reads and writes the stores, forwards records. A non-retriable error (a
   * `MessagingError` or `ApplicationError` with `retriable: false`) undoes this record's writes and
   * forwards and sends the record to `<applicationId>.dlt` in the same transaction; any other error aborts
   * the transaction, and the records are processed again.
   */
  process(record: ConsumedRecord, context: TaskContext): Promise<void> | void;
  /**
   * Called once per transaction after its last record, before anything is sent: forward what the
   * transaction's writes changed (once per key rather than once per record).
   */
  flush?(context: TaskContext): Promise<void> | void;
}

export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/** `<applicationId>-<topic>-<partition>`: one transactional id per task (see docs/exactly-once.md). */
export function transactionalIdOf(applicationId: string, topic: string, partition: number): string {
  return `${applicationId}-${topic}-${partition}`;
}
