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
 * - Back-pressure: a batch is handed to the runner only when the batches of the previous fetch from that
 *   broker have ended (kafkajs fetches again only then), and the runner ends a batch only when its records
 *   are finished or given back. So a member holds at most one fetch per broker in memory (bounded by
 *   `consumer.maxBytesPerPartition` per partition), however slow its handlers, and `pause` stops a
 *   partition's fetching altogether.
 * - Shutdown: `stop` stops fetching, lets the records in flight finish, commits them and leaves the group,
 *   within a bound; what it could not wait for is reported, and redelivered to the next member.
 *
 * The runner itself routes batches to one `PartitionWorker` per partition, which holds that partition's
 * state and runs the dispatch loop; it keeps only what concerns the member as a whole.
 */
import type { DeliveryGuarantee, MessageHandler } from '../core/handler';
import { MessagingError } from '../errors/messaging.error';
import { silentLogger, type Logger } from '../logging/logger';
import type {
  BatchControls,
  ConsumedBatch,
  ConsumerEvents,
  ConsumerOptions,
  ConsumerPort,
  KafkaClient,
  TopicPartitions,
} from '../ports/kafka-client.port';
import { PerKeyDispatch, SequentialDispatch } from './dispatch-strategy';
import {
  PartitionWorker,
  type BatchInProgress,
  type ConsumerCall,
  type PartitionProgress,
  type WorkerHost,
} from './partition-worker';
import type { UnitOfWorkOptions } from './unit-of-work';

export type { PartitionProgress } from './partition-worker';

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
  /**
   * Handles a partition's records in chunks of one unit of work each (see `UnitOfWork`); a record is
   * finished only once its chunk committed. Not with `at-most-once`. Default: none, each record is
   * finished when its handler returns.
   */
  unitOfWork?: UnitOfWorkOptions;
  /**
   * Session, rebalance, heartbeat and fetch settings of the underlying consumer. The runner's default
   * `fetchMaxWaitMs` is `DEFAULT_FETCH_MAX_WAIT_MS` rather than the client's: a partition the runner held
   * (a retry record not due yet, a backoff) is fetched again only with the next fetch, which waits for the
   * one in flight, so this wait is how late a held partition can resume after it is due.
   */
  consumer?: Omit<ConsumerOptions, 'groupId'>;
  logger?: Logger;
}

/**
 * The runner's default broker long-poll. kafkajs's own (5 s) made the first retry stage, due after 1 s,
 * run after about 5 s: its partition was resumed on time, but the fetch that could include it was sent
 * only when the long-poll in flight on the other partitions returned. An idle member now sends about four
 * empty fetches a second instead of one every five seconds; a busy one is unaffected (fetches return as
 * soon as there are records).
 */
export const DEFAULT_FETCH_MAX_WAIT_MS = 250;

export interface StopOptions {
  /**
   * The most time to wait for records in flight before leaving anyway. Default 30 s. Leaving the group
   * gets the rest of it, and at least `STOP_DISCONNECT_MIN_MS`, so a stop can take up to
   * `timeoutMs + STOP_DISCONNECT_MIN_MS`.
   */
  timeoutMs?: number;
}

/**
 * The least time a stop gives the consumer to leave the group, even when waiting for the records in flight
 * used up the whole `timeoutMs`: leaving is what lets the next member take the partitions over at once
 * rather than after the session timeout. A caller with a deadline of its own (a process that exits after
 * a fixed time) keeps `timeoutMs` at least this much below it.
 */
export const STOP_DISCONNECT_MIN_MS = 1_000;

export interface StopReport {
  /** Every record in flight finished and was committed, and the member left the group in time. */
  graceful: boolean;
  /** Records still running when the time was up, per partition; they are redelivered to the next owner. */
  abandoned: { topic: string; partition: number; offsets: string[] }[];
  durationMs: number;
}

/** Options that cannot work together; raised by the constructor, never per message. */
export class ConsumerRunnerConfigError extends MessagingError {
  readonly code = 'MESSAGING_RUNNER_CONFIG';
  readonly retriable = false;
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

export class ConsumerRunner {
  private readonly delivery: DeliveryGuarantee;
  private readonly logger: Logger;
  private readonly host: WorkerHost;
  private consumer: ConsumerPort | undefined;
  /** One worker per partition this member was ever handed or told to pause, per topic. */
  private readonly workers = new Map<string, Map<number, PartitionWorker>>();
  /** Topics the application paused as a whole (`pause` without partitions), partitions assigned later included. */
  private readonly pausedTopics = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private stopping = false;
  private stopped: Promise<StopReport> | undefined;
  /** The consumer crashed and has not joined the group since: it refuses pause, resume and seek. */
  private crashedSinceJoin = false;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.delivery = options.delivery ?? DEFAULTS.delivery;
    this.logger = (options.logger ?? silentLogger).child({
      component: 'consumer-runner',
      groupId: options.groupId,
    });
    const maxInFlight = options.concurrency?.maxInFlight ?? DEFAULTS.maxInFlight;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`concurrency.maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
    const everyRecords = options.commit?.everyRecords ?? DEFAULTS.everyRecords;
    const chunkMaxRecords = options.unitOfWork?.maxRecords ?? everyRecords;
    if (!Number.isInteger(chunkMaxRecords) || chunkMaxRecords < 1) {
      throw new RangeError(`unitOfWork.maxRecords must be a positive integer, got ${chunkMaxRecords}`);
    }
    if (options.unitOfWork && this.delivery === 'at-most-once') {
      throw new ConsumerRunnerConfigError(
        'unitOfWork needs at-least-once or effectively-once: at-most-once commits before the work runs',
      );
    }
    const sequential = new SequentialDispatch<BatchInProgress>();
    this.host = {
      groupId: options.groupId,
      handler: options.handler,
      delivery: this.delivery,
      logger: this.logger,
      commitEveryRecords: everyRecords,
      commitIntervalMs: options.commit?.intervalMs ?? DEFAULTS.intervalMs,
      backoffInitialMs: options.errorBackoff?.initialMs ?? DEFAULTS.backoffInitialMs,
      backoffMaxMs: options.errorBackoff?.maxMs ?? DEFAULTS.backoffMaxMs,
      unitOfWork: options.unitOfWork,
      chunkMaxRecords,
      dispatchStrategy: options.concurrency?.perKey
        ? () => new PerKeyDispatch<BatchInProgress>(maxInFlight)
        : () => sequential,
      consumer: () => this.consumer,
      control: (call, afterwards) => this.control(call, afterwards),
      isStopping: () => this.stopping,
      isTopicPaused: (topic) => this.pausedTopics.has(topic),
    };
  }

  /** Joins the group and starts consuming; resolves once the member has joined. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('ConsumerRunner already started');
    const { client, groupId, topics } = this.options;
    const consumer = client.consumer({
      ...this.options.consumer,
      fetchMaxWaitMs: this.options.consumer?.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
      groupId,
    });
    this.consumer = consumer;
    this.unsubscribe.push(
      consumer.on('group-join', (event) => this.onGroupJoin(event)),
      consumer.on('rebalancing', ({ memberId }) => this.logger.info({ memberId }, 'group is rebalancing')),
      // A crash the client restarts from (a coordinator loading at start-up, a leader election) is a
      // warning; one it gives up on leaves the group without a member, which is an error.
      consumer.on('crash', ({ error, restart }) => {
        this.crashedSinceJoin = true;
        if (restart)
          this.logger.warn({ err: error, restart }, 'Kafka consumer crashed; the client restarts it');
        else this.logger.error({ err: error, restart }, 'Kafka consumer crashed');
      }),
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
    const result: PartitionProgress[] = [];
    for (const worker of this.allWorkers()) {
      const oldest = worker.progress();
      if (oldest) result.push(oldest);
    }
    return result;
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
      if (!partitions) this.pausedTopics.add(topic);
      else for (const partition of partitions) this.worker(topic, partition).userPaused = true;
    }
    this.control(
      { action: 'pause', topicPartitions: targets },
      'the runner pauses them when the member joins the group again',
    );
  }

  /** Undoes `pause`. A partition the runner holds itself (backoff, deferred record) stays held until due. */
  resume(topicPartitions?: TopicPartitions[]): void {
    const targets: TopicPartitions[] = topicPartitions ?? this.options.topics.map((topic) => ({ topic }));
    for (const { topic, partitions } of targets) {
      const workers = [...(this.workers.get(topic)?.values() ?? [])];
      if (!partitions) {
        this.pausedTopics.delete(topic);
        for (const worker of workers) worker.userPaused = false;
      } else if (this.pausedTopics.delete(topic)) {
        // Narrow a topic-wide pause to the currently assigned partitions minus the resumed ones.
        const assigned = this.assignments().find((a) => a.topic === topic)?.partitions ?? [];
        for (const worker of workers) worker.userPaused = false;
        for (const partition of assigned) {
          if (!partitions.includes(partition)) this.worker(topic, partition).userPaused = true;
        }
      } else {
        for (const worker of workers) if (partitions.includes(worker.partition)) worker.userPaused = false;
      }
    }
    if (this.stopping || !this.consumer) return;
    const afterwards = 'the runner resumes them when the member joins the group again';
    if (!this.control({ action: 'resume', topicPartitions: targets }, afterwards)) return;
    // A topic-wide resume also lifts the workers' own holds in kafkajs's bookkeeping: put them back.
    for (const { topic } of targets) {
      for (const worker of this.workers.get(topic)?.values() ?? []) {
        if (worker.held)
          this.control(
            { action: 'pause', topicPartitions: [{ topic, partitions: [worker.partition] }] },
            'the runner pauses it again when the member joins the group again',
          );
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
    const workers = [...this.allWorkers()];
    for (const worker of workers) worker.clearHold();
    const consumer = this.consumer;
    if (!consumer) return { graceful: true, abandoned: [], durationMs: 0 };
    // Pausing everything ends fetching at once; the batches in progress see `stopping` and wind down. A
    // consumer that refuses (kafkajs, while it restarts a crashed consumer) fetches nothing to stop.
    this.control(
      { action: 'pause', topicPartitions: this.options.topics.map((topic) => ({ topic })) },
      'stopping anyway: the batches in progress end at the stop, and the disconnect ends fetching',
    );

    const drained = await settlesWithin(Promise.all(workers.map((worker) => worker.idle())), timeoutMs);
    const abandoned = drained
      ? []
      : workers.flatMap((worker) => {
          const offsets = worker.unfinished().map(String);
          return offsets.length > 0 ? [{ topic: worker.topic, partition: worker.partition, offsets }] : [];
        });
    // kafkajs's disconnect waits for the batches in progress and the fetch in flight, then leaves the
    // group; bound it too, so a handler that never returns cannot hold the process forever.
    const remaining = Math.max(timeoutMs - (Date.now() - started), STOP_DISCONNECT_MIN_MS);
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
    this.crashedSinceJoin = false;
    // Another member may have committed while this one did not own a partition: forget what we knew.
    for (const worker of this.allWorkers()) worker.forget();
    this.logger.info(
      { memberId: event.memberId, isLeader: event.isLeader, assignments: event.assignments },
      'joined the consumer group',
    );
    this.applyPauses(event.assignments);
  }

  /**
   * Makes the consumer's pauses the runner's own again, on every join: kafkajs forgets every pause when it
   * restarts a crashed consumer, and refuses pause and resume until then, so a pause or resume asked for
   * in between (a hold that ended, the application's) is only done here. Paused: what the application
   * paused and what the workers hold; every other assigned partition is resumed.
   */
  private applyPauses(assignments: readonly TopicPartitions[]): void {
    if (this.stopping || !this.consumer) return;
    const paused: TopicPartitions[] = [];
    const resumed: TopicPartitions[] = [];
    for (const { topic, partitions = [] } of assignments) {
      if (this.pausedTopics.has(topic)) {
        paused.push({ topic });
        continue;
      }
      const ofTopic = this.workers.get(topic);
      const stay = partitions.filter((p) => {
        const worker = ofTopic?.get(p);
        return worker !== undefined && (worker.userPaused || worker.held);
      });
      const go = partitions.filter((p) => !stay.includes(p));
      if (stay.length > 0) paused.push({ topic, partitions: stay });
      if (go.length > 0) resumed.push({ topic, partitions: go });
    }
    const afterwards = 'the runner tries again when the member joins the group again';
    if (resumed.length > 0) this.control({ action: 'resume', topicPartitions: resumed }, afterwards);
    if (paused.length > 0) this.control({ action: 'pause', topicPartitions: paused }, afterwards);
  }

  /**
   * Pauses, resumes or seeks through the consumer; returns whether it did, never throws. A consumer may
   * refuse while it is not a member of the group (kafkajs throws "Consumer group was not initialized"
   * from all three while it restarts a crashed consumer). Nothing is lost by that: `applyPauses` puts the
   * pauses right when it joins again, and fetching starts again from the committed offsets. `afterwards`
   * says in the log what becomes of the call. After a crash the refusal is expected and the crash is
   * logged already, so it is logged at debug; any other refusal is a warning with its error.
   */
  private control(call: ConsumerCall, afterwards: string): boolean {
    const consumer = this.consumer;
    if (!consumer) return false;
    try {
      if (call.action === 'seek') consumer.seek(call.topic, call.partition, call.offset);
      else if (call.action === 'pause') consumer.pause(call.topicPartitions);
      else consumer.resume(call.topicPartitions);
      return true;
    } catch (error) {
      if (this.crashedSinceJoin)
        this.logger.debug(
          { ...call, err: error },
          `consumer ${call.action} refused: the consumer crashed and is not a member of the group; ${afterwards}`,
        );
      else this.logger.warn({ ...call, err: error }, `consumer ${call.action} failed; ${afterwards}`);
      return false;
    }
  }

  private onBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void> {
    return this.worker(batch.topic, batch.partition).onBatch(batch, controls);
  }

  private worker(topic: string, partition: number): PartitionWorker {
    let ofTopic = this.workers.get(topic);
    if (!ofTopic) {
      ofTopic = new Map();
      this.workers.set(topic, ofTopic);
    }
    let worker = ofTopic.get(partition);
    if (!worker) {
      worker = new PartitionWorker(topic, partition, this.host);
      ofTopic.set(partition, worker);
    }
    return worker;
  }

  private *allWorkers(): IterableIterator<PartitionWorker> {
    for (const ofTopic of this.workers.values()) yield* ofTopic.values();
  }
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
