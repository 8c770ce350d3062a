/**
 * The consumer runner: feeds a consumer group's records to a handler pipeline with manual offset
 * management. What it guarantees, and what it costs, is documented per option below and in
 * docs/messaging.md. In short:
 *
 * - Order: one partition's records run one after another; partitions run in parallel. With
 *   `concurrency.perKey`, records of different keys inside a partition run in parallel too, each key still
 *   strictly in order, and the committed offset never passes the lowest unfinished record.
 * - Delivery: `at-most-once` commits a record's offset before its handler runs; `at-least-once` and
 *   `effectively-once` commit after it succeeded (the inbox that makes the latter effectively once is a
 *   middleware in the pipeline; for the runner both are the same).
 * - Failure: an error that escapes the pipeline (the retry and dead-letter middleware normally catch every
 *   error first) never skips a record: the partition stops at it, is paused for a growing backoff and
 *   fetches it again. `DeferredDelivery` pauses only its partition until the record is due.
 * - Shutdown: `stop` stops fetching, lets the records in flight finish, commits them and leaves the group,
 *   within a bound; what it could not wait for is reported, and redelivered to the next member.
 */
import { DeferredDelivery } from '../core/deferred';
import type { DeliveryGuarantee, HandlerContext, InboundMessage, MessageHandler } from '../core/handler';
import { RETRY_HEADERS } from '../failure/failure-headers';
import { silentLogger, type Logger } from '../logging/logger';
import type {
  BatchControls,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerOptions,
  ConsumerPort,
  KafkaClient,
  TopicPartitions,
} from '../ports/kafka-client.port';
import { KeyedDispatcher } from './keyed-dispatcher';
import { OffsetTracker } from './offset-tracker';
import { RecordLogger, recordFields } from './record.logger';

export interface ConsumerRunnerOptions {
  client: KafkaClient;
  groupId: string;
  topics: string[];
  /** The composed pipeline (middleware around the application handler); see `compose`. */
  handler: MessageHandler;
  /** When the offset is committed relative to the handler. Default `at-least-once`. */
  delivery?: DeliveryGuarantee;
  /**
   * Where a group without committed offsets starts: `earliest` (default: an event-driven service wants
   * every event, not only those published after its first deployment) or `latest`.
   */
  startFrom?: 'earliest' | 'latest';
  /**
   * Per-key concurrency inside a partition. `maxInFlight` bounds the records started and not finished per
   * partition (including those waiting behind their key): it bounds memory and how much a crash
   * redelivers. Records without a key share one lane. Default: off (strictly sequential per partition).
   */
  concurrency?: { perKey: boolean; maxInFlight?: number };
  /** How many partitions are worked on at the same time. Default 4. */
  partitionsConsumedConcurrently?: number;
  /**
   * Commits happen at the end of every batch and before a rebalance or shutdown completes; inside a
   * long batch also after `everyRecords` finished records or `intervalMs`, whichever comes first.
   * Defaults 1000 records, 5000 ms. Smaller values commit more often (less redelivery after a crash,
   * one round trip to the broker each).
   */
  commit?: { everyRecords?: number; intervalMs?: number };
  /** Backoff before a partition retries a record whose error escaped the pipeline. Default 1 s doubling to 30 s. */
  errorBackoff?: { initialMs?: number; maxMs?: number };
  /** Session, rebalance, heartbeat and fetch settings of the underlying consumer. */
  consumer?: Omit<ConsumerOptions, 'groupId'>;
  logger?: Logger;
}

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

export interface StopOptions {
  /** The most time to wait for records in flight before leaving anyway. Default 30 s. */
  timeoutMs?: number;
}

export interface StopReport {
  /** Every record in flight finished and was committed, and the member left the group in time. */
  graceful: boolean;
  /** Records still running when the time was up, per partition; they are redelivered to the next owner. */
  abandoned: { topic: string; partition: number; offsets: string[] }[];
  durationMs: number;
}

type Outcome = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'deferred'; dueAt: number };

/** Shared by every successful record: the common outcome allocates nothing. */
const DONE: Outcome = { kind: 'done' };

/** One batch in progress: shared by its record tasks, which may run concurrently under per-key concurrency. */
interface BatchRun {
  topic: string;
  partition: number;
  state: PartitionState;
  tracker: OffsetTracker;
  controls: BatchControls;
  /** The lowest record that did not finish (failed or deferred): the batch stops, the partition is held. */
  halt: { offset: bigint; resumeAt: number } | undefined;
  heartbeatFailure: unknown;
}

/** What the runner remembers about one partition between batches. */
interface PartitionState {
  /** The last offset this member committed (the next to read); commits never go backwards. */
  committed: bigint | undefined;
  commitChain: Promise<void>;
  finishedSinceCommit: number;
  lastCommitAt: number;
  /** The record whose error escaped the pipeline, and how often in a row. */
  failure: { offset: bigint; count: number } | undefined;
}

const DEFAULTS = {
  delivery: 'at-least-once' as DeliveryGuarantee,
  maxInFlight: 100,
  partitionsConsumedConcurrently: 4,
  everyRecords: 1_000,
  intervalMs: 5_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
  stopTimeoutMs: 30_000,
};

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** The attempt count carried by a retry-topic record; 1 for a first delivery. */
function attemptOf(record: ConsumedRecord): number {
  const value = record.headers[RETRY_HEADERS.attempt];
  return value === undefined ? 1 : Number(value.toString()) || 1;
}

/** A logger whose every line also carries `fields` (the Logger port has no child loggers). */
function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (f, m) => logger.debug({ ...fields, ...f }, m),
    info: (f, m) => logger.info({ ...fields, ...f }, m),
    warn: (f, m) => logger.warn({ ...fields, ...f }, m),
    error: (f, m) => logger.error({ ...fields, ...f }, m),
  };
}

export class ConsumerRunner {
  private readonly delivery: DeliveryGuarantee;
  private readonly logger: Logger;
  private consumer: ConsumerPort | undefined;
  private readonly partitions = new Map<string, PartitionState>();
  /** The batch being worked on per partition, so a new batch never overlaps the previous one. */
  private readonly work = new Map<string, Promise<void>>();
  /** Trackers of the batches in progress, to report what a timed-out shutdown abandons. */
  private readonly activeTrackers = new Map<string, OffsetTracker>();
  /** Partitions held by the runner itself (failure backoff, deferred delivery) until their timer fires. */
  private readonly holds = new Map<string, NodeJS.Timeout>();
  /** Per partition, the records of the batch in progress, so `progress()` can tell the oldest unfinished. */
  private readonly activeRecords = new Map<string, readonly ConsumedRecord[]>();
  /** Per held partition, the record it stopped at; it stays unprocessed until the partition's next batch. */
  private readonly stalled = new Map<string, PartitionProgress>();
  /** Partitions paused by the application (`pause`); `all` pauses every partition of the topic. */
  private readonly userPaused = new Map<string, 'all' | Set<number>>();
  private readonly unsubscribe: (() => void)[] = [];
  private stopping = false;
  private stopped: Promise<StopReport> | undefined;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.delivery = options.delivery ?? DEFAULTS.delivery;
    this.logger = withFields(options.logger ?? silentLogger, {
      component: 'consumer-runner',
      groupId: options.groupId,
    });
    const maxInFlight = options.concurrency?.maxInFlight;
    if (maxInFlight !== undefined && (!Number.isInteger(maxInFlight) || maxInFlight < 1)) {
      throw new RangeError(`concurrency.maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
  }

  /** Joins the group and starts consuming; resolves once the member has joined. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('ConsumerRunner already started');
    const { client, groupId, topics } = this.options;
    const consumer = client.consumer({ ...this.options.consumer, groupId });
    this.consumer = consumer;
    this.unsubscribe.push(
      consumer.on('group-join', (event) => this.onGroupJoin(event)),
      consumer.on('rebalancing', ({ memberId }) => this.logger.info({ memberId }, 'group is rebalancing')),
      consumer.on('crash', ({ error, restart }) =>
        this.logger.error({ err: error, restart }, 'Kafka consumer crashed'),
      ),
    );
    await consumer.connect();
    await consumer.subscribe(topics, {
      fromBeginning: (this.options.startFrom ?? 'earliest') === 'earliest',
    });
    await consumer.run({
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? DEFAULTS.partitionsConsumedConcurrently,
      eachBatch: (batch, controls) => this.onBatch(batch, controls),
    });
    this.logger.info({ topics, delivery: this.delivery }, 'consumer runner started');
  }

  /**
   * Per partition with unfinished work: the oldest record fetched and not finished yet (in a batch in
   * progress, or the record a held partition stopped at). Cheap; meant to be polled for metrics.
   */
  progress(): PartitionProgress[] {
    const result = new Map(this.stalled);
    for (const [key, records] of this.activeRecords) {
      const position = this.activeTrackers.get(key)?.committable();
      // Nothing begun yet: the whole batch is waiting; else the first record at or after the position.
      const oldest = position === undefined ? records[0] : records.find((r) => BigInt(r.offset) >= position);
      if (oldest) result.set(key, progressOf(oldest));
      else result.delete(key);
    }
    return [...result.values()];
  }

  /** The partitions this member owns right now (empty while rebalancing or stopped). */
  assignments(): TopicPartitions[] {
    return this.consumer?.assignments() ?? [];
  }

  /**
   * Stops fetching the given partitions (all subscribed topics when called without arguments), for
   * back-pressure. Records already started finish; the rest of their batch is fetched again on `resume`.
   */
  pause(topicPartitions?: TopicPartitions[]): void {
    const targets: TopicPartitions[] = topicPartitions ?? this.options.topics.map((topic) => ({ topic }));
    for (const { topic, partitions } of targets) {
      const current = this.userPaused.get(topic);
      if (!partitions) this.userPaused.set(topic, 'all');
      else if (current !== 'all') this.userPaused.set(topic, new Set([...(current ?? []), ...partitions]));
    }
    this.consumer?.pause(targets);
  }

  /** Undoes `pause`. A partition the runner holds itself (backoff, deferred record) stays held until due. */
  resume(topicPartitions?: TopicPartitions[]): void {
    const targets: TopicPartitions[] = topicPartitions ?? this.options.topics.map((topic) => ({ topic }));
    for (const { topic, partitions } of targets) {
      const current = this.userPaused.get(topic);
      if (!partitions) {
        this.userPaused.delete(topic);
      } else if (current === 'all') {
        // Narrow a topic-wide pause to the currently assigned partitions minus the resumed ones.
        const assigned = this.assignments().find((a) => a.topic === topic)?.partitions ?? [];
        this.userPaused.set(topic, new Set(assigned.filter((p) => !partitions.includes(p))));
      } else if (current) {
        partitions.forEach((p) => current.delete(p));
      }
    }
    if (this.stopping || !this.consumer) return;
    this.consumer.resume(targets);
    // A topic-wide resume also lifts the runner's own holds in kafkajs's bookkeeping: put them back.
    for (const key of this.holds.keys()) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      if (targets.some((t) => t.topic === topic)) {
        this.consumer.pause([{ topic, partitions: [Number(partition)] }]);
      }
    }
  }

  /**
   * Graceful shutdown: stops fetching, lets the records in flight finish, commits them and leaves the
   * group. After `timeoutMs` it leaves anyway and reports what it abandoned. Safe to call more than once.
   */
  stop(options: StopOptions = {}): Promise<StopReport> {
    this.stopped ??= this.shutdown(options.timeoutMs ?? DEFAULTS.stopTimeoutMs);
    return this.stopped;
  }

  private async shutdown(timeoutMs: number): Promise<StopReport> {
    const started = Date.now();
    this.stopping = true;
    for (const timer of this.holds.values()) clearTimeout(timer);
    this.holds.clear();
    const consumer = this.consumer;
    if (!consumer) return { graceful: true, abandoned: [], durationMs: 0 };
    // Pausing everything ends fetching at once; the batches in progress see `stopping` and wind down.
    consumer.pause(this.options.topics.map((topic) => ({ topic })));

    const drained = await settlesWithin(
      Promise.allSettled([...this.work.values()]).then(() => undefined),
      timeoutMs,
    );
    const abandoned = drained
      ? []
      : [...this.activeTrackers].flatMap(([key, tracker]) => {
          const offsets = tracker.unfinished().map(String);
          const [topic, partition] = key.split('\u0000') as [string, string];
          return offsets.length > 0 ? [{ topic, partition: Number(partition), offsets }] : [];
        });
    // kafkajs's disconnect waits for the batches in progress and the fetch in flight, then leaves the
    // group; bound it too, so a handler that never returns cannot hold the process forever.
    const remaining = Math.max(timeoutMs - (Date.now() - started), 1_000);
    const left = await settlesWithin(
      consumer.disconnect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'disconnect failed');
      }),
      remaining,
    );
    this.unsubscribe.splice(0).forEach((off) => off());
    const report: StopReport = { graceful: drained && left, abandoned, durationMs: Date.now() - started };
    if (report.graceful) this.logger.info({ durationMs: report.durationMs }, 'consumer runner stopped');
    else this.logger.warn({ ...report, left }, 'consumer runner stopped before its work was finished');
    return report;
  }

  private onGroupJoin(event: ConsumerEvents['group-join']): void {
    // Another member may have committed while this one did not own a partition: forget what we knew.
    this.partitions.clear();
    this.stalled.clear();
    this.logger.info(
      { memberId: event.memberId, isLeader: event.isLeader, assignments: event.assignments },
      'joined the consumer group',
    );
  }

  private partition(topic: string, partition: number): PartitionState {
    const key = tpKey(topic, partition);
    let state = this.partitions.get(key);
    if (!state) {
      state = {
        committed: undefined,
        commitChain: Promise.resolve(),
        finishedSinceCommit: 0,
        lastCommitAt: Date.now(),
        failure: undefined,
      };
      this.partitions.set(key, state);
    }
    return state;
  }

  private onBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void> {
    const key = tpKey(batch.topic, batch.partition);
    // kafkajs hands out one batch per partition at a time, except across a rebalance: a batch of the old
    // generation may still be winding down when the partition is handed back to this member. Chaining
    // keeps the partition strictly ordered even then.
    const previous = this.work.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.processBatch(batch, controls));
    this.work.set(key, current);
    const cleanup = (): void => {
      if (this.work.get(key) === current) this.work.delete(key);
    };
    current.then(cleanup, cleanup);
    return current;
  }

  private isUserPaused(topic: string, partition: number): boolean {
    const paused = this.userPaused.get(topic);
    return paused === 'all' || (paused?.has(partition) ?? false);
  }

  private async processBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void> {
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    const run: BatchRun = {
      topic,
      partition,
      state: this.partition(topic, partition),
      tracker: new OffsetTracker(),
      controls,
      halt: undefined,
      heartbeatFailure: undefined,
    };
    this.activeTrackers.set(key, run.tracker);
    this.activeRecords.set(key, batch.records);
    this.stalled.delete(key);

    try {
      if (this.options.concurrency?.perKey) await this.runPerKey(batch.records, run);
      else await this.runSequentially(batch.records, run);
    } finally {
      this.activeTrackers.delete(key);
      this.activeRecords.delete(key);
    }

    const { tracker, halt } = run;
    const position = tracker.committable();
    if (position !== undefined) {
      // Fetch from the lowest unfinished record next (the failed or deferred one, or the first one a
      // pause or shutdown left unstarted), never past it.
      if (halt) this.consumer?.seek(topic, partition, position.toString());
      else controls.resolveOffset((position - 1n).toString());
      // The end-of-batch commit; also the commit that precedes a rebalance or a shutdown, since both
      // stop the batch first. Under at-most-once everything started is committed already.
      if (this.delivery !== 'at-most-once') await this.commit(topic, partition, position);
    }
    if (halt && !this.stopping) {
      const stoppedAt = batch.records.find((r) => BigInt(r.offset) === position);
      if (stoppedAt) this.stalled.set(key, progressOf(stoppedAt));
      this.hold(topic, partition, halt.resumeAt);
    }
    // Rethrown so the client rejoins the group (the port's contract); offsets are committed by now.
    if (run.heartbeatFailure !== undefined) throw run.heartbeatFailure;
  }

  /**
   * The default: one record after the other. Awaiting each record directly, rather than through a
   * dispatcher with a bound of one, saves a promise chain and its microtask turns per record; the order,
   * commits and halts are the same as `runPerKey` with `maxInFlight` 1.
   */
  private async runSequentially(records: readonly ConsumedRecord[], run: BatchRun): Promise<void> {
    for (const record of records) {
      if (!this.mayStart(run)) break;
      const offset = BigInt(record.offset);
      // Awaited only when there is a commit to make: an async call per record costs microtask turns.
      if (this.commitDueBefore(run) && !(await this.commitBeforeRecord(run, offset))) break;
      run.tracker.begin(offset);
      await this.runRecord(record, offset, run);
    }
  }

  /** Per-key concurrency: different keys in parallel, each key in order, at most `maxInFlight` unfinished. */
  private async runPerKey(records: readonly ConsumedRecord[], run: BatchRun): Promise<void> {
    const dispatcher = new KeyedDispatcher(this.options.concurrency?.maxInFlight ?? DEFAULTS.maxInFlight);
    for (const record of records) {
      if (!this.mayStart(run)) break;
      await dispatcher.ready();
      if (!this.mayStart(run)) break;
      const offset = BigInt(record.offset);
      // Awaited only when there is a commit to make: an async call per record costs microtask turns.
      if (this.commitDueBefore(run) && !(await this.commitBeforeRecord(run, offset))) break;
      run.tracker.begin(offset);
      dispatcher.submit(record.key?.toString('latin1') ?? '', async () => {
        // A record queued behind its key when the partition halted stays unfinished: fetched again.
        if (run.halt) return;
        await this.runRecord(record, offset, run);
      });
    }
    await dispatcher.drain();
  }

  /** Whether the batch may start another record. */
  private mayStart(run: BatchRun): boolean {
    return (
      run.halt === undefined &&
      run.heartbeatFailure === undefined &&
      !this.stopping &&
      run.controls.isRunning() &&
      !run.controls.isStale() &&
      !this.isUserPaused(run.topic, run.partition)
    );
  }

  /** Whether a commit is due before the next record starts (always under at-most-once). */
  private commitDueBefore(run: BatchRun): boolean {
    return this.delivery === 'at-most-once' || this.commitDue(run.state);
  }

  /** The commit before a record starts; false when the record must not start. */
  private async commitBeforeRecord(run: BatchRun, offset: bigint): Promise<boolean> {
    if (this.delivery === 'at-most-once') {
      // Committed before the handler runs: if the process dies from here on, the record is never
      // handled again. If the commit fails, the record must not run, or it could run twice.
      return this.commit(run.topic, run.partition, offset + 1n);
    }
    // Inside a long batch (`commit.everyRecords` / `intervalMs`); a failure only means more redelivery.
    const position = run.tracker.committable();
    if (position !== undefined) await this.commit(run.topic, run.partition, position);
    return true;
  }

  /** Runs the pipeline for one begun record, settles its outcome and heartbeats; never throws. */
  private async runRecord(record: ConsumedRecord, offset: bigint, run: BatchRun): Promise<void> {
    const message: InboundMessage = { record, groupId: this.options.groupId, attempt: attemptOf(record) };
    const context: HandlerContext = { message, logger: new RecordLogger(this.logger, record) };
    let outcome: Outcome = DONE;
    try {
      await this.options.handler(message, context);
    } catch (error) {
      outcome =
        error instanceof DeferredDelivery
          ? { kind: 'deferred', dueAt: error.dueAt }
          : { kind: 'failed', error };
    }
    const resumeAt = this.settle(record, offset, outcome, run.state);
    if (resumeAt === undefined) {
      run.tracker.complete(offset);
      run.state.finishedSinceCommit += 1;
    } else if (haltsEarlier(offset, run.halt)) {
      run.halt = { offset, resumeAt };
    }
    try {
      await run.controls.heartbeat();
    } catch (error) {
      run.heartbeatFailure ??= error;
    }
  }

  /** Logs the outcome and returns when the partition may go on, or `undefined` when the record is finished. */
  private settle(
    record: ConsumedRecord,
    offset: bigint,
    outcome: Outcome,
    state: PartitionState,
  ): number | undefined {
    if (outcome.kind === 'done') {
      if (state.failure?.offset === offset) {
        this.logger.info(
          { ...recordFields(record), failures: state.failure.count },
          'record handled after failing before',
        );
        state.failure = undefined;
      }
      return undefined;
    }
    // Only here, off the path of a record that simply succeeded, are the log fields worth building.
    const fields = recordFields(record);
    if (outcome.kind === 'deferred') {
      this.logger.debug(
        { ...fields, dueAt: new Date(outcome.dueAt).toISOString() },
        'record not due yet: pausing its partition until it is',
      );
      return outcome.dueAt;
    }
    if (this.delivery === 'at-most-once') {
      this.logger.error(
        { ...fields, err: outcome.error },
        'handler failed and no middleware handled the error; at-most-once: the record is not retried',
      );
      return undefined;
    }
    const count = state.failure?.offset === offset ? state.failure.count + 1 : 1;
    state.failure = { offset, count };
    const backoffMs = Math.min(
      (this.options.errorBackoff?.initialMs ?? DEFAULTS.backoffInitialMs) * 2 ** (count - 1),
      this.options.errorBackoff?.maxMs ?? DEFAULTS.backoffMaxMs,
    );
    // Loud on purpose: the retry and dead-letter middleware should have caught this error.
    this.logger.error(
      { ...fields, err: outcome.error, consecutiveFailures: count, backoffMs },
      'handler failed and no middleware handled the error: the partition stops at this record and retries it after a backoff',
    );
    return Date.now() + backoffMs;
  }

  private commitDue(state: PartitionState): boolean {
    const every = this.options.commit?.everyRecords ?? DEFAULTS.everyRecords;
    const interval = this.options.commit?.intervalMs ?? DEFAULTS.intervalMs;
    return (
      state.finishedSinceCommit > 0 &&
      (state.finishedSinceCommit >= every || Date.now() - state.lastCommitAt >= interval)
    );
  }

  /**
   * Commits `position` (the next offset to read) unless a higher one is committed already. Commits of a
   * partition are serialised so they reach the broker in increasing order. Returns false on failure: the
   * records are then redelivered after a restart or rebalance, which at-least-once allows.
   */
  private async commit(topic: string, partition: number, position: bigint): Promise<boolean> {
    const state = this.partition(topic, partition);
    let ok = true;
    state.commitChain = state.commitChain.then(async () => {
      if (state.committed !== undefined && position <= state.committed) return;
      const finished = state.finishedSinceCommit;
      try {
        await this.consumer?.commit([{ topic, partition, offset: position.toString() }]);
        state.committed = position;
        state.finishedSinceCommit = Math.max(0, state.finishedSinceCommit - finished);
        state.lastCommitAt = Date.now();
      } catch (error) {
        ok = false;
        this.logger.warn(
          { topic, partition, offset: position.toString(), err: error },
          'offset commit failed; the records after the last commit will be delivered again',
        );
      }
    });
    await state.commitChain;
    return ok;
  }

  /** Pauses one partition until `resumeAt` (a timer, never a sleep: other partitions keep flowing). */
  private hold(topic: string, partition: number, resumeAt: number): void {
    const key = tpKey(topic, partition);
    const consumer = this.consumer;
    if (!consumer) return;
    clearTimeout(this.holds.get(key));
    consumer.pause([{ topic, partitions: [partition] }]);
    const timer = setTimeout(
      () => {
        this.holds.delete(key);
        if (!this.stopping && !this.isUserPaused(topic, partition)) {
          consumer.resume([{ topic, partitions: [partition] }]);
        }
      },
      Math.max(0, resumeAt - Date.now()),
    );
    this.holds.set(key, timer);
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

/** Whether a halt at `offset` comes before the current one (the partition restarts at the lowest). */
function haltsEarlier(offset: bigint, current: { offset: bigint } | undefined): boolean {
  return current === undefined || offset < current.offset;
}

/** Whether `promise` settled within `ms` (it keeps running either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
