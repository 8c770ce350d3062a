/**
 * A consume-transform-produce processor on the client port: one consumer group (`applicationId`) reads
 * every source topic read_committed; each assigned partition is a task (stream-task.ts) with its stores and
 * producer; each fetched batch of a partition is processed and committed as one transaction (at most
 * `maxRecordsPerTransaction` records). The shape is Kafka Streams' with its first exactly-once protocol:
 * a transactional id per task, so that a new owner of a partition fences the old one whatever the group
 * generation says (the client port has no KIP-447 group metadata to hand the broker; docs/exactly-once.md).
 */
import { ProducerFencedError } from '../errors/messaging.error';
import { deadLetterTopicName } from '../failure/retry-policy';
import type { Logger } from '../logging/logger';
import type {
  AdminPort,
  BatchControls,
  ConsumedBatch,
  ConsumerOptions,
  ConsumerPort,
  KafkaClient,
} from '../ports/kafka-client.port';
import { DEFAULT_TOPIC_WAIT_TIMEOUT_MS, waitForSourceTopics } from '../subscription/wait-for-source-topics';
import { provisionTopics, type OwnedTopic } from '../topics/provision-topics';
import { StreamTask, type TaskCommit } from './stream-task';
import { changelogTopicName, type ProcessingGuarantee, type StreamSource } from './stream-topology';

export interface StreamProcessorListener {
  /** A task was opened (its producer connected, its stores restored). */
  opened?(task: { topic: string; partition: number; restored: number; ms: number }): void;
  committed?(commit: TaskCommit): void;
  /** A transaction failed and was aborted; its records are processed again. */
  aborted?(task: { topic: string; partition: number; records: number; error: Error; fenced: boolean }): void;
}

export interface StreamProcessorOptions {
  client: KafkaClient;
  /** The consumer group, the prefix of every transactional id and of the changelog topics. */
  applicationId: string;
  sources: readonly StreamSource[];
  guarantee: ProcessingGuarantee;
  logger: Logger;
  /** Topics the processor writes besides its changelogs (repartition, output), provisioned at start. */
  topics?: readonly OwnedTopic[];
  /** How long `start` waits for source topics it does not declare to exist. Default 60 s. */
  sourceTopicsTimeoutMs?: number;
  /** Default 1,000. */
  maxRecordsPerTransaction?: number;
  /** Group settings (session timeout and the like); the group id and isolation are the processor's. */
  consumer?: Omit<ConsumerOptions, 'groupId' | 'isolation'>;
  listener?: StreamProcessorListener;
  /** Runs in every transaction after the sends, before the commit. For tests only. */
  beforeCommit?: (task: { topic: string; partition: number }) => Promise<void>;
}

const RETRY_BACKOFF_MS = 1_000;
const HEARTBEAT_EVERY_MS = 1_000;

interface TaskEntry {
  task: StreamTask;
  /** Resolves with the group's committed offset of the partition once the task is open ('-1': none). */
  ready: Promise<string>;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class StreamProcessor {
  private consumer: ConsumerPort | undefined;
  private readonly tasks = new Map<string, TaskEntry>();
  private admin: AdminPort | undefined;
  /** Partitions whose task was fenced: not processed again until the group assigns them anew. */
  private readonly fenced = new Set<string>();
  private readonly sources: Map<string, StreamSource>;
  private stopping = false;

  constructor(private readonly options: StreamProcessorOptions) {
    this.sources = new Map(options.sources.map((s) => [s.topic, s]));
  }

  /** Provisions the changelogs, dead-letter topic and declared topics, joins the group and starts. */
  async start(): Promise<void> {
    const { client, applicationId, sources } = this.options;
    const declared = this.options.topics ?? [];
    const admin = client.admin();
    await admin.connect();
    let partitions: Record<string, number>;
    try {
      // Source topics that are someone else's may appear a little after this service starts.
      const external = sources.map((s) => s.topic).filter((t) => !declared.some((d) => d.topic === t));
      await waitForSourceTopics(admin, external, {
        groupId: applicationId,
        timeoutMs: this.options.sourceTopicsTimeoutMs ?? DEFAULT_TOPIC_WAIT_TIMEOUT_MS,
        logger: this.options.logger,
      });
      partitions = {
        ...(external.length > 0 ? await admin.fetchPartitionCounts(external) : {}),
        ...Object.fromEntries(declared.map((d) => [d.topic, d.partitions])),
      };
      await provisionTopics(admin, [
        ...declared,
        ...sources.flatMap((s) =>
          s.stores.map((store) => ({
            topic: changelogTopicName(applicationId, store),
            partitions: partitions[s.topic] ?? 1,
            config: { 'cleanup.policy': 'compact' },
          })),
        ),
        { topic: deadLetterTopicName(applicationId), partitions: 1, config: { 'cleanup.policy': 'delete' } },
      ]);
    } finally {
      await admin.disconnect();
    }
    this.admin = client.admin();
    await this.admin.connect();
    const consumer = client.consumer({
      ...this.options.consumer,
      groupId: applicationId,
      isolation: 'read_committed',
    });
    this.consumer = consumer;
    consumer.on('group-join', ({ assignments }) => this.assigned(assignments));
    await consumer.connect();
    await consumer.subscribe([...this.sources.keys()], { fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: sources.reduce((sum, s) => sum + (partitions[s.topic] ?? 1), 0),
      eachBatch: (batch, controls) => this.handleBatch(batch, controls),
    });
  }

  /** Leaves the group once the transactions in flight end, then closes every task's producer. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await Promise.all([...this.tasks.values()].map(({ task }) => task.close()));
    this.tasks.clear();
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  /** The tasks this instance runs now, for tests and interactive queries. */
  runningTasks(): StreamTask[] {
    return [...this.tasks.values()].map((t) => t.task);
  }

  /** A new assignment: tasks this member lost are closed; fenced partitions it holds again are resumed. */
  private assigned(assignments: { topic: string; partitions?: number[] }[]): void {
    const now = new Set(assignments.flatMap((a) => (a.partitions ?? []).map((p) => key(a.topic, p))));
    for (const [k, { task }] of this.tasks) {
      if (!now.has(k)) {
        this.tasks.delete(k);
        void task.close();
      }
    }
    const resumed = [...this.fenced].filter((k) => now.has(k));
    this.fenced.clear();
    for (const k of resumed) {
      const [topic, partition] = k.split('\u0000') as [string, string];
      this.consumer?.resume([{ topic, partitions: [Number(partition)] }]);
    }
  }

  private taskFor(topic: string, partition: number): TaskEntry {
    const k = key(topic, partition);
    const existing = this.tasks.get(k);
    if (existing) return existing;
    const { logger, listener } = this.options;
    const task = new StreamTask(
      {
        client: this.options.client,
        applicationId: this.options.applicationId,
        guarantee: this.options.guarantee,
        logger,
        consumer: this.consumer!,
        beforeCommit: this.options.beforeCommit,
      },
      this.sources.get(topic)!,
      partition,
    );
    const started = Date.now();
    const ready = task.open().then(async (restored) => {
      // Opening fenced every earlier owner, so the committed offset cannot move now but by this task.
      const committed = await this.committedOffset(topic, partition);
      const ms = Date.now() - started;
      logger.info({ task: task.id, restored, committed, ms }, 'stream task opened');
      listener?.opened?.({ topic, partition, restored, ms });
      return committed;
    });
    const entry = { task, ready };
    this.tasks.set(k, entry);
    // A task that failed to open is dropped, so the next batch opens it again.
    ready.catch(() => {
      if (this.tasks.get(k) === entry) this.tasks.delete(k);
      void task.close();
    });
    return entry;
  }

  private async handleBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void> {
    const { topic, partition } = batch;
    const k = key(topic, partition);
    if (this.fenced.has(k) || this.stopping || batch.records.length === 0) return;
    const { logger, listener } = this.options;
    const entry = this.taskFor(topic, partition);
    let committed: string;
    try {
      committed = await this.whileHeartbeating(entry.ready, controls);
    } catch (error) {
      if (!controls.isRunning()) return;
      logger.warn(
        { topic, partition, error: (error as Error).message },
        'stream task could not open; retrying',
      );
      await this.whileHeartbeating(delay(RETRY_BACKOFF_MS), controls);
      return;
    }
    // The store holds exactly the committed transactions, so the input must resume exactly after them. The
    // fetch position can lag behind when another member committed for this partition meanwhile (a
    // member evicted without knowing it, whose position is the group's offset at its last join): such
    // records are in the store already and are skipped, never processed twice.
    const input =
      committed === '-1' ? batch.records : batch.records.filter((r) => BigInt(r.offset) >= BigInt(committed));
    if (input.length < batch.records.length) {
      logger.warn(
        { task: entry.task.id, committed, skipped: batch.records.length - input.length },
        'stream task skipped records committed by an earlier owner',
      );
      controls.resolveOffset(batch.records[batch.records.length - input.length - 1]!.offset);
    }
    const size = this.options.maxRecordsPerTransaction ?? 1_000;
    for (let i = 0; i < input.length; i += size) {
      if (!controls.isRunning() || controls.isStale() || this.tasks.get(k) !== entry) return;
      const records = input.slice(i, i + size);
      logger.debug(
        {
          task: entry.task.id,
          firstOffset: records[0]!.offset,
          lastOffset: records[records.length - 1]!.offset,
        },
        'stream task processing',
      );
      try {
        const commit = await entry.task.process(records);
        controls.resolveOffset(commit.lastOffset);
        logger.debug({ task: entry.task.id, ...commit }, 'stream task committed');
        listener?.committed?.(commit);
      } catch (error) {
        const fenced = error instanceof ProducerFencedError;
        listener?.aborted?.({ topic, partition, records: records.length, error: error as Error, fenced });
        // Whatever failed, the task is opened afresh: a transactional producer after a failed commit is in
        // no state to trust, and its stores are restored from what Kafka committed.
        this.tasks.delete(k);
        await entry.task.close();
        this.consumer?.seek(topic, partition, records[0]!.offset);
        if (fenced) {
          // Another member owns this partition now; this one's assignment is stale. Wait for the group to
          // say so rather than open the task again, which would fence the rightful owner in turn.
          logger.warn(
            { task: entry.task.id },
            'stream task fenced by a newer owner; waiting for the rebalance',
          );
          this.fenced.add(k);
          this.consumer?.pause([{ topic, partitions: [partition] }]);
          return;
        }
        logger.warn(
          { task: entry.task.id, error: (error as Error).message },
          'stream task transaction aborted; processing again',
        );
        await this.whileHeartbeating(delay(RETRY_BACKOFF_MS), controls);
        return;
      }
    }
  }

  private async committedOffset(topic: string, partition: number): Promise<string> {
    if (!this.admin) throw new Error('The stream processor is not started');
    const offsets = await this.admin.fetchCommittedOffsets(this.options.applicationId, topic);
    return offsets.find((o) => o.partition === partition)?.offset ?? '-1';
  }

  /** Waits for `work` while heartbeating, so a long restore does not cost the member its place in the group. */
  private async whileHeartbeating<T>(work: Promise<T>, controls: BatchControls): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    while (!settled) {
      await Promise.race([watched.catch(() => undefined), delay(HEARTBEAT_EVERY_MS)]);
      if (!settled) await controls.heartbeat();
    }
    return watched;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
