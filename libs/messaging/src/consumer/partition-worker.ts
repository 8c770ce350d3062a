/**
 * One partition of a ConsumerRunner: what the runner knows about it (the committed position and the
 * commit chain, the record that keeps failing, the hold timer, the batch in progress, the application's
 * pause) and the one loop that works through its batches.
 *
 * The loop, per record: stop if the batch may not go on; wait for room (per-key concurrency); commit
 * first if a commit is due; open a chunk of the unit of work if there is one; begin the record in the
 * offset tracker and dispatch it. At the end of the batch: wait for what runs, commit the chunk, then the
 * offset, and hold the partition if it stopped at a record.
 */
import { DeferredDelivery } from '../core/deferred';
import type { DeliveryGuarantee, HandlerContext, InboundMessage, MessageHandler } from '../core/handler';
import { RETRY_HEADERS } from '../failure/failure-headers';
import type { Logger } from '../logging/logger';
import type {
  BatchControls,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerPort,
  TopicPartitions,
} from '../ports/kafka-client.port';
import type { DispatchStrategy, RecordRunner } from './dispatch-strategy';
import { OffsetTracker } from './offset-tracker';
import { RecordLogger, recordFields } from './record.logger';
import type { UnitOfWork, UnitOfWorkOptions } from './unit-of-work';

/**
 * The oldest record of one partition this member fetched and has not finished: the message whose age the
 * `messaging_oldest_unprocessed_message_age_seconds` gauge reports. A partition without an entry is
 * caught up as far as this member fetched.
 */
export interface PartitionProgress {
  topic: string;
  partition: number;
  offset: string;
  /** The record's Kafka timestamp, epoch milliseconds. */
  timestamp: number;
}

/** A call that steers the consumer's fetching, made through `WorkerHost.control`. */
export type ConsumerCall =
  | { action: 'pause' | 'resume'; topicPartitions: TopicPartitions[] }
  | { action: 'seek'; topic: string; partition: number; offset: string };

/** What every worker of a runner shares: the runner's settings and state. */
export interface WorkerHost {
  readonly groupId: string;
  readonly handler: MessageHandler;
  readonly delivery: DeliveryGuarantee;
  readonly logger: Logger;
  readonly commitEveryRecords: number;
  readonly commitIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly unitOfWork: UnitOfWorkOptions | undefined;
  /** The most records in one chunk of the unit of work. */
  readonly chunkMaxRecords: number;
  /** The strategy for one batch (the sequential one is shared, the per-key one is not). */
  dispatchStrategy(): DispatchStrategy<BatchInProgress>;
  /** Undefined before `start`. */
  consumer(): ConsumerPort | undefined;
  /**
   * Makes `call` on the consumer; never throws (a consumer that is not a member of the group refuses).
   * Returns whether it was made; `afterwards` says in the log what becomes of a refused call.
   */
  control(call: ConsumerCall, afterwards: string): boolean;
  isStopping(): boolean;
  /** Whether the application paused the whole topic (`pause` without partitions). */
  isTopicPaused(topic: string): boolean;
}

type Outcome = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'deferred'; dueAt: number };

/** Shared by every successful record: the common outcome allocates nothing. */
const DONE: Outcome = { kind: 'done' };

/** Records handled in one unit of work, not finished until it commits. */
interface Chunk {
  readonly unitOfWork: UnitOfWork;
  readonly startedAt: number;
  /** The records begun in the chunk, the first of them and how many. */
  readonly first: bigint;
  begun: number;
  /** The handled ones, in the order they finished. */
  readonly handled: bigint[];
}

/** The batch being worked on; its record tasks share it (concurrently, under per-key concurrency). */
export interface BatchInProgress {
  readonly records: readonly ConsumedRecord[];
  readonly controls: BatchControls;
  readonly tracker: OffsetTracker;
  readonly dispatch: DispatchStrategy<BatchInProgress>;
  /** The lowest record that did not finish (failed or deferred): the batch stops, the partition is held. */
  halt: { offset: bigint; resumeAt: number } | undefined;
  heartbeatFailure: unknown;
  chunk: Chunk | undefined;
}

/** The attempt count carried by a retry-topic record; 1 for a first delivery. */
function attemptOf(record: ConsumedRecord): number {
  const value = record.headers[RETRY_HEADERS.attempt];
  return value === undefined ? 1 : Number(value.toString()) || 1;
}

const ignore = (): undefined => undefined;

export class PartitionWorker implements RecordRunner<BatchInProgress> {
  /** The application paused this partition (`pause` with partitions). */
  userPaused = false;
  /** The last offset this member committed (the next to read); commits never go backwards. */
  private committed: bigint | undefined;
  private commitChain: Promise<void> = Promise.resolve();
  private finishedSinceCommit = 0;
  private lastCommitAt = Date.now();
  /**
   * Bumped when the member rejoins the group: another member may have committed meanwhile, so what this
   * one knew is forgotten, and a commit still in flight from before does not bring it back.
   */
  private ownership = 0;
  /** The record whose error escaped the pipeline, and how often in a row. */
  private failure: { offset: bigint; count: number } | undefined;
  /** Set while the worker holds its partition (failure backoff, deferred record) until the timer fires. */
  private holdTimer: NodeJS.Timeout | undefined;
  /** The tail of the batch chain, so a new batch never overlaps the previous one. */
  private work: Promise<void> | undefined;
  private batch: BatchInProgress | undefined;
  /** While held: the record the partition stopped at; unprocessed until the next batch. */
  private stall: PartitionProgress | undefined;
  private unitOfWork: UnitOfWork | undefined;
  /** The partition as the consumer port's pause and resume take it. */
  private readonly self: TopicPartitions[];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly host: WorkerHost,
  ) {
    this.self = [{ topic, partitions: [partition] }];
  }

  /**
   * Works through one batch. kafkajs hands out one batch per partition at a time, except across a
   * rebalance: a batch of the old generation may still be winding down when the partition is handed back
   * to this member. Chaining keeps the partition strictly ordered even then.
   */
  onBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void> {
    const previous = this.work;
    const current = previous
      ? previous.then(ignore, ignore).then(() => this.process(batch, controls))
      : this.process(batch, controls);
    this.work = current;
    const cleanup = (): void => {
      if (this.work === current) this.work = undefined;
    };
    current.then(cleanup, cleanup);
    return current;
  }

  /** Settles when the batch in progress (if any) has ended. */
  idle(): Promise<void> {
    return this.work ? this.work.then(ignore, ignore) : Promise.resolve();
  }

  /** Begun and not finished, ascending: what a shutdown abandons if it cannot wait. */
  unfinished(): bigint[] {
    return this.batch?.tracker.unfinished() ?? [];
  }

  /** The oldest record fetched and not finished, if any (see `ConsumerRunner.progress`). */
  progress(): PartitionProgress | undefined {
    const batch = this.batch;
    if (!batch) return this.stall;
    const position = batch.tracker.committable();
    // Nothing begun yet: the whole batch is waiting; else the first record at or after the position.
    const oldest =
      position === undefined ? batch.records[0] : batch.records.find((r) => BigInt(r.offset) >= position);
    return oldest ? progressOf(oldest) : undefined;
  }

  /** The member (re)joined the group: forget what was known about the partition's commits. */
  forget(): void {
    this.ownership += 1;
    this.committed = undefined;
    this.finishedSinceCommit = 0;
    this.lastCommitAt = Date.now();
    this.failure = undefined;
    this.stall = undefined;
  }

  get held(): boolean {
    return this.holdTimer !== undefined;
  }

  /** Drops the hold without resuming (shutdown). */
  clearHold(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  isUserPaused(): boolean {
    return this.userPaused || this.host.isTopicPaused(this.topic);
  }

  halted(batch: BatchInProgress): boolean {
    return batch.halt !== undefined;
  }

  private async process(consumed: ConsumedBatch, controls: BatchControls): Promise<void> {
    const batch: BatchInProgress = {
      records: consumed.records,
      controls,
      tracker: new OffsetTracker(),
      dispatch: this.host.dispatchStrategy(),
      halt: undefined,
      heartbeatFailure: undefined,
      chunk: undefined,
    };
    this.batch = batch;
    this.stall = undefined;
    try {
      await this.dispatchAll(batch);
      if (batch.chunk) await this.endChunk(batch);
    } finally {
      this.batch = undefined;
    }

    const { tracker, halt } = batch;
    const position = pastTrailingMarkers(consumed, tracker.committable(), halt === undefined);
    if (position !== undefined) {
      // Fetch from the lowest unfinished record next (the failed or deferred one, or the first one a
      // pause or shutdown left unstarted), never past it.
      if (halt)
        this.host.control(
          { action: 'seek', topic: this.topic, partition: this.partition, offset: position.toString() },
          'the partition may be fetched again from before that record, delivering finished records again',
        );
      else controls.resolveOffset((position - 1n).toString());
      // The end-of-batch commit; also the commit that precedes a rebalance or a shutdown, since both
      // stop the batch first. Under at-most-once everything started is committed already.
      if (this.host.delivery !== 'at-most-once') await this.commit(position);
    }
    if (halt && !this.host.isStopping()) {
      const stoppedAt = batch.records.find((r) => BigInt(r.offset) === position);
      if (stoppedAt) this.stall = progressOf(stoppedAt);
      this.hold(halt.resumeAt);
    }
    // Rethrown so the client rejoins the group (the port's contract); offsets are committed by now.
    if (batch.heartbeatFailure !== undefined) throw batch.heartbeatFailure;
  }

  /** The dispatch loop, the same for every strategy. */
  private async dispatchAll(batch: BatchInProgress): Promise<void> {
    const { records, dispatch } = batch;
    for (let index = 0; index < records.length; index += 1) {
      if (!this.mayStart(batch)) break;
      if (!dispatch.hasRoom()) {
        await dispatch.room();
        if (!this.mayStart(batch)) break;
      }
      const record = records[index] as ConsumedRecord;
      const offset = BigInt(record.offset);
      // Each awaited only when there is something to do: an async call per record costs microtask turns.
      // With a unit of work: the full chunk commits first, then the offsets it finished, then the next begins.
      if (batch.chunk && this.chunkFull(batch.chunk) && !(await this.endChunk(batch))) break;
      if (this.commitDueBefore() && !(await this.commitBeforeRecord(batch, offset))) break;
      if (this.host.unitOfWork && !batch.chunk && !(await this.beginChunk(batch, index))) break;
      batch.tracker.begin(offset);
      if (batch.chunk) batch.chunk.begun += 1;
      const running = dispatch.dispatch(this, record, offset, batch);
      if (running !== undefined) await running;
    }
    await dispatch.drain();
  }

  /** Whether the batch may start another record. */
  private mayStart(batch: BatchInProgress): boolean {
    return (
      batch.halt === undefined &&
      batch.heartbeatFailure === undefined &&
      !this.host.isStopping() &&
      batch.controls.isRunning() &&
      !batch.controls.isStale() &&
      !this.isUserPaused()
    );
  }

  /** Whether a commit is due before the next record starts (always under at-most-once). */
  private commitDueBefore(): boolean {
    if (this.host.delivery === 'at-most-once') return true;
    const finished = this.finishedSinceCommit;
    return (
      finished > 0 &&
      (finished >= this.host.commitEveryRecords ||
        Date.now() - this.lastCommitAt >= this.host.commitIntervalMs)
    );
  }

  /** The commit before a record starts; false when the record must not start. */
  private async commitBeforeRecord(batch: BatchInProgress, offset: bigint): Promise<boolean> {
    if (this.host.delivery === 'at-most-once') {
      // Committed before the handler runs: if the process dies from here on, the record is never
      // handled again. If the commit fails, the record must not run, or it could run twice.
      return this.commit(offset + 1n);
    }
    // Inside a long batch (`commit.everyRecords` / `intervalMs`); a failure only means more redelivery.
    const position = batch.tracker.committable();
    if (position !== undefined) await this.commit(position);
    return true;
  }

  /** Runs the pipeline for one begun record, settles its outcome and heartbeats; never throws. */
  async runRecord(record: ConsumedRecord, offset: bigint, batch: BatchInProgress): Promise<void> {
    const message: InboundMessage = { record, groupId: this.host.groupId, attempt: attemptOf(record) };
    const context: HandlerContext = { message, logger: new RecordLogger(this.host.logger, record) };
    let outcome: Outcome = DONE;
    try {
      await this.host.handler(message, context);
    } catch (error) {
      outcome =
        error instanceof DeferredDelivery
          ? { kind: 'deferred', dueAt: error.dueAt }
          : { kind: 'failed', error };
    }
    const resumeAt = this.settle(record, offset, outcome);
    if (resumeAt !== undefined) {
      this.haltAt(batch, offset, resumeAt);
    } else if (batch.chunk) {
      batch.chunk.handled.push(offset);
    } else {
      batch.tracker.complete(offset);
      this.finishedSinceCommit += 1;
    }
    try {
      await batch.controls.heartbeat();
    } catch (error) {
      batch.heartbeatFailure ??= error;
    }
  }

  /** The partition goes on from `offset` at `resumeAt` (the lowest such record wins). */
  private haltAt(batch: BatchInProgress, offset: bigint, resumeAt: number): void {
    if (batch.halt === undefined || offset < batch.halt.offset) batch.halt = { offset, resumeAt };
  }

  /** Logs the outcome and returns when the partition may go on, or `undefined` when the record is finished. */
  private settle(record: ConsumedRecord, offset: bigint, outcome: Outcome): number | undefined {
    if (outcome.kind === 'done') {
      if (this.failure?.offset === offset) {
        this.host.logger.info(
          { ...recordFields(record), failures: this.failure.count },
          'record handled after failing before',
        );
        this.failure = undefined;
      }
      return undefined;
    }
    // Only here, off the path of a record that simply succeeded, are the log fields worth building.
    const fields = recordFields(record);
    if (outcome.kind === 'deferred') {
      this.host.logger.debug(
        { ...fields, dueAt: new Date(outcome.dueAt).toISOString() },
        'record not due yet: pausing its partition until it is',
      );
      return outcome.dueAt;
    }
    if (this.host.delivery === 'at-most-once') {
      this.host.logger.error(
        { ...fields, err: outcome.error },
        'handler failed and no middleware handled the error; at-most-once: the record is not retried',
      );
      return undefined;
    }
    const { count, backoffMs } = this.failedAgain(offset);
    // Loud on purpose: the retry and dead-letter middleware should have caught this error.
    this.host.logger.error(
      { ...fields, err: outcome.error, consecutiveFailures: count, backoffMs },
      'handler failed and no middleware handled the error: the partition stops at this record and retries it after a backoff',
    );
    return Date.now() + backoffMs;
  }

  /** Counts one more failure in a row at `offset`; the backoff doubles with each. */
  private failedAgain(offset: bigint): { count: number; backoffMs: number } {
    const count = this.failure?.offset === offset ? this.failure.count + 1 : 1;
    this.failure = { offset, count };
    const backoffMs = Math.min(this.host.backoffInitialMs * 2 ** (count - 1), this.host.backoffMaxMs);
    return { count, backoffMs };
  }

  /** Whether the open chunk has taken all the records it may, or has been open for the commit interval. */
  private chunkFull(chunk: Chunk): boolean {
    return (
      chunk.begun >= this.host.chunkMaxRecords || Date.now() - chunk.startedAt >= this.host.commitIntervalMs
    );
  }

  /** Begins a chunk at `records[index]`; false when it could not, and the record must not start. */
  private async beginChunk(batch: BatchInProgress, index: number): Promise<boolean> {
    const options = this.host.unitOfWork as UnitOfWorkOptions;
    this.unitOfWork ??= options.forPartition(this.topic, this.partition);
    const records = batch.records.slice(index, index + this.host.chunkMaxRecords);
    const first = BigInt((records[0] as ConsumedRecord).offset);
    try {
      await this.unitOfWork.begin(records);
    } catch (error) {
      this.chunkFailed(batch, first, error, 'could not begin');
      return false;
    }
    batch.chunk = { unitOfWork: this.unitOfWork, startedAt: Date.now(), first, begun: 0, handled: [] };
    return true;
  }

  /**
   * Commits the open chunk once nothing of it runs any more, and finishes its handled records; without
   * any, rolls it back. False when the commit failed: the batch then stops at the chunk's first record.
   */
  private async endChunk(batch: BatchInProgress): Promise<boolean> {
    const chunk = batch.chunk as Chunk;
    await batch.dispatch.drain();
    batch.chunk = undefined;
    if (chunk.handled.length === 0) {
      await chunk.unitOfWork.rollback().catch((error: unknown) => {
        this.host.logger.warn(
          { topic: this.topic, partition: this.partition, err: error },
          'rollback failed',
        );
      });
      return true;
    }
    try {
      await chunk.unitOfWork.commit();
    } catch (error) {
      await chunk.unitOfWork.rollback().catch(ignore);
      this.chunkFailed(batch, chunk.first, error, 'could not commit');
      return false;
    }
    for (const offset of chunk.handled) batch.tracker.complete(offset);
    this.finishedSinceCommit += chunk.handled.length;
    return true;
  }

  /** Nothing of the chunk counts: the partition stops at its first record and tries again after a backoff. */
  private chunkFailed(batch: BatchInProgress, first: bigint, error: unknown, what: string): void {
    const { count, backoffMs } = this.failedAgain(first);
    this.host.logger.error(
      {
        topic: this.topic,
        partition: this.partition,
        offset: first.toString(),
        err: error,
        consecutiveFailures: count,
        backoffMs,
      },
      `unit of work ${what}: the partition goes back to the chunk's first record and retries after a backoff`,
    );
    this.haltAt(batch, first, Date.now() + backoffMs);
  }

  /**
   * Commits `position` (the next offset to read) unless a higher one is committed already. Commits of a
   * partition are serialised so they reach the broker in increasing order. Returns false on failure: the
   * records are then redelivered after a restart or rebalance, which at-least-once allows.
   */
  private async commit(position: bigint): Promise<boolean> {
    const ownership = this.ownership;
    let ok = true;
    this.commitChain = this.commitChain.then(async () => {
      if (ownership === this.ownership && this.committed !== undefined && position <= this.committed) return;
      const finished = this.finishedSinceCommit;
      try {
        await this.host
          .consumer()
          ?.commit([{ topic: this.topic, partition: this.partition, offset: position.toString() }]);
        if (ownership !== this.ownership) return;
        this.committed = position;
        this.finishedSinceCommit = Math.max(0, this.finishedSinceCommit - finished);
        this.lastCommitAt = Date.now();
      } catch (error) {
        ok = false;
        this.host.logger.warn(
          { topic: this.topic, partition: this.partition, offset: position.toString(), err: error },
          'offset commit failed; the records after the last commit will be delivered again',
        );
      }
    });
    await this.commitChain;
    return ok;
  }

  /**
   * Pauses the partition until `resumeAt` (a timer, never a sleep: other partitions keep flowing). The
   * hold counts even if the consumer refuses the pause: the runner pauses held partitions again when the
   * member joins the group. The timer never throws: a resume the consumer refuses is done at that join.
   */
  private hold(resumeAt: number): void {
    if (!this.host.consumer()) return;
    clearTimeout(this.holdTimer);
    this.host.control(
      { action: 'pause', topicPartitions: this.self },
      'the runner pauses it when the member joins the group again',
    );
    this.holdTimer = setTimeout(
      () => {
        this.holdTimer = undefined;
        if (!this.host.isStopping() && !this.isUserPaused())
          this.host.control(
            { action: 'resume', topicPartitions: this.self },
            'the runner resumes it when the member joins the group again',
          );
      },
      Math.max(0, resumeAt - Date.now()),
    );
  }
}

function progressOf(record: ConsumedRecord): PartitionProgress {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: Number(record.timestamp),
  };
}

/**
 * The commit position after a batch. When every record was finished and the fetch ended on entries no
 * consumer receives (a transaction's marker, aborted records), it moves past them: otherwise the committed
 * offset stops one short of the log end after every transaction, and the group shows a lag of one that
 * never goes away (and a stalled-consumer alert fires on it).
 */
export function pastTrailingMarkers(
  consumed: ConsumedBatch,
  position: bigint | undefined,
  finishedAll: boolean,
): bigint | undefined {
  const last = consumed.records[consumed.records.length - 1];
  if (!finishedAll || position === undefined || last === undefined || consumed.lastOffset === undefined) {
    return position;
  }
  if (position !== BigInt(last.offset) + 1n) return position;
  const beyond = BigInt(consumed.lastOffset) + 1n;
  return beyond > position ? beyond : position;
}
