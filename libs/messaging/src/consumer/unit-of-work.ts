/**
 * The hook for handling a chunk of one partition's records in one unit of work (one database transaction
 * for many records, say), instead of one per record. The runner decides where chunks begin and end; the
 * unit of work decides what "durable" means.
 *
 * The rule the runner keeps: a record handled inside a chunk is not finished until its chunk committed,
 * so no offset covering it is committed before that. If the chunk cannot commit, none of its records is
 * finished: the partition goes back to the chunk's first record and tries again after the error backoff,
 * like a record whose error escaped the pipeline.
 */
import type { ConsumedRecord } from '../ports/kafka-client.port';

/** One partition's unit of work; the runner uses it for one chunk at a time, never two at once. */
export interface UnitOfWork {
  /**
   * A chunk begins. `records` are the ones it may cover, in offset order, starting with the next to run;
   * it may end before all of them ran (a record failed or was deferred, the batch stopped, a commit came
   * due). Rejecting is like a failed commit: nothing of the chunk runs.
   */
  begin(records: readonly ConsumedRecord[]): Promise<void>;
  /**
   * Makes the work of the chunk's handled records durable. Called when no record of the partition is
   * running, before the offset that covers them is committed. Rejecting leaves them unfinished.
   */
  commit(): Promise<void>;
  /** Discards the chunk's work: after a failed commit, or when no record of the chunk was handled. */
  rollback(): Promise<void>;
}

export interface UnitOfWorkOptions {
  /** The unit of work of one partition; asked once per assigned partition and kept. */
  forPartition(topic: string, partition: number): UnitOfWork;
  /**
   * The most records in one chunk. A chunk also ends when the runner's commit interval has passed since
   * it began, and at the end of every batch. Default: the runner's `commit.everyRecords`.
   */
  maxRecords?: number;
}
