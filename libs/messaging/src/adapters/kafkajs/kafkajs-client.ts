/**
 * The kafkajs adapter: the only code in the workspace that imports kafkajs (enforced by lint).
 * It maps the library's ports onto kafkajs and turns kafkajs errors into `TransportError`s.
 */
import { EventEmitter } from 'node:events';
import { backOff } from 'exponential-backoff';
import {
  CompressionTypes,
  ConfigResourceTypes,
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type Message,
  type Producer,
  type Transaction,
} from 'kafkajs';
import { NotFoundError } from '../../errors/application.error';
import { TransportError } from '../../errors/messaging.error';
// Loaded for their side effects, before any client exists: see each file for what it changes in kafkajs.
import './record-encoder.patch';
import './request-queue.patch';
import './aborted-transactions.patch';

/** The Kafka protocol's error code for a topic the broker does not have. */
const UNKNOWN_TOPIC_OR_PARTITION = 3;
import { describeGroup, listGroups, resetGroupOffsets } from './consumer-groups.admin';
import { kafkaJsLogCreator } from './kafkajs-log';
import { transport } from './kafkajs-transport';
import { silentLogger, type Logger } from '../../logging/logger';
import type {
  AdminPort,
  ClusterDescription,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerGroupDescription,
  ConsumerGroupListing,
  ConsumerOptions,
  ConsumerPort,
  ConsumerRunOptions,
  EachBatchRunOptions,
  GroupOffsetReset,
  GroupOffsetResetPlan,
  KafkaClient,
  KafkaClientConfig,
  OutgoingRecord,
  PartitionOffset,
  PartitionRange,
  ProducerOptions,
  ProducerPort,
  ProducerTransaction,
  RecordMetadata,
  TopicPartitionOffset,
  TopicPartitions,
  TopicSpec,
} from '../../ports/kafka-client.port';

export interface KafkaJsClientConfig extends KafkaClientConfig {
  logger?: Logger;
}

/**
 * How long `createTopics` waits for the new topics' partitions to have leaders: on a healthy cluster well
 * under a second; beyond this, something is wrong with the cluster and the caller should hear of it.
 */
const NEW_TOPIC_LEADER_TIMEOUT_MS = 10_000;

function toKafkaJsMessage(record: OutgoingRecord): Message {
  const message: Message = { key: record.key, value: record.value };
  if (record.headers) message.headers = record.headers as IHeaders;
  if (record.partition !== undefined) message.partition = record.partition;
  return message;
}

function toMetadata(
  results: { topicName: string; partition: number; baseOffset?: string }[],
): RecordMetadata[] {
  return results.map((r) => ({ topic: r.topicName, partition: r.partition, offset: r.baseOffset ?? '-1' }));
}

/**
 * kafkajs decodes each record's headers into a fresh object whose values are Buffers of their own, so in
 * the common case that object already has the port's shape and is handed on as it is: copying it for
 * every record was a measurable part of the consumer's per-record cost (docs/benchmarks.md). Only a
 * repeated header (kafkajs makes an array of it) or a header with a null value needs a copy.
 */
function toHeaders(headers: IHeaders | undefined): Record<string, Buffer | undefined> {
  if (headers === undefined) return {};
  return hasOnlyBufferValues(headers) ? headers : copyHeaders(headers);
}

function hasOnlyBufferValues(headers: IHeaders): headers is Record<string, Buffer> {
  for (const name in headers) {
    if (!Buffer.isBuffer(headers[name])) return false;
  }
  return true;
}

function copyHeaders(headers: IHeaders): Record<string, Buffer | undefined> {
  const out: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    // kafkajs turns repeated headers into arrays; the library keeps the last value (CloudEvents headers are single).
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    // A header may be sent without a value (null on the wire): the port reads it as absent.
    out[name] =
      last === undefined || last === null ? undefined : Buffer.isBuffer(last) ? last : Buffer.from(last);
  }
  return out;
}

function groupByTopic(
  offsets: TopicPartitionOffset[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    const list = topics.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: o.offset });
    topics.set(o.topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

class KafkaJsTransaction implements ProducerTransaction {
  constructor(private readonly tx: Transaction) {}

  async send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    const result = await transport('transactional send', () =>
      this.tx.send({ topic, messages: records.map(toKafkaJsMessage) }),
    );
    return toMetadata(result);
  }

  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return transport('sendOffsets', () =>
      this.tx.sendOffsets({ consumerGroupId: groupId, topics: groupByTopic(offsets) }),
    );
  }

  commit(): Promise<void> {
    return transport('transaction commit', () => this.tx.commit());
  }

  abort(): Promise<void> {
    return transport('transaction abort', () => this.tx.abort());
  }
}

class KafkaJsProducer implements ProducerPort {
  private readonly compression: CompressionTypes;

  constructor(
    private readonly producer: Producer,
    options: ProducerOptions,
  ) {
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  connect(): Promise<void> {
    return transport('producer connect', () => this.producer.connect());
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    const result = await transport('send', () =>
      this.producer.send({
        topic,
        acks: -1,
        compression: this.compression,
        messages: records.map(toKafkaJsMessage),
      }),
    );
    return toMetadata(result);
  }

  async transaction(): Promise<ProducerTransaction> {
    return new KafkaJsTransaction(await transport('begin transaction', () => this.producer.transaction()));
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: toHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

class KafkaJsConsumer implements ConsumerPort {
  private readonly events = new EventEmitter();
  private assigned: TopicPartitions[] = [];

  constructor(private readonly consumer: Consumer) {
    // kafkajs reports membership only through instrumentation events; keep the last assignment for
    // `assignments()` and re-emit the events in the port's vocabulary.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions].sort((a, b) => a - b),
      }));
      this.emit('group-join', {
        groupId: payload.groupId,
        memberId: payload.memberId,
        isLeader: payload.isLeader,
        assignments: this.assignments(),
      });
    });
    consumer.on(consumer.events.REBALANCING, ({ payload }) => {
      this.assigned = [];
      this.emit('rebalancing', { groupId: payload.groupId, memberId: payload.memberId });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.assigned = [];
      this.emit('crash', { groupId: payload.groupId, error: payload.error, restart: payload.restart });
    });
    consumer.on(consumer.events.STOP, () => {
      this.assigned = [];
    });
  }

  connect(): Promise<void> {
    return transport('consumer connect', () => this.consumer.connect());
  }

  subscribe(topics: string[], options: { fromBeginning?: boolean } = {}): Promise<void> {
    return transport('subscribe', () =>
      this.consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false }),
    );
  }

  run(options: ConsumerRunOptions): Promise<void> {
    if (options.eachBatch) {
      const eachBatch = options.eachBatch;
      return this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.handleBatch(payload, eachBatch),
      });
    }
    const eachRecord = options.eachRecord;
    return this.consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, partition, message }) => eachRecord(toConsumedRecord(topic, partition, message)),
    });
  }

  private async handleBatch(
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
    eachBatch: EachBatchRunOptions['eachBatch'],
  ): Promise<void> {
    // A failed heartbeat is usually a rebalance. The port hands the caller a TransportError, but kafkajs
    // must get its own error back out of eachBatch: it recognises a rebalance by it and rejoins the group.
    let heartbeatFailure: unknown;
    try {
      await eachBatch(
        {
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: batch.highWatermark,
          // kafkajs's lastOffset counts control records and filtered ones (it is what its own runner resolves).
          lastOffset: batch.lastOffset(),
          records: batch.messages.map((m) => toConsumedRecord(batch.topic, batch.partition, m)),
        },
        {
          // Called once per record: a plain promise chain, not an async wrapper with an await of its own.
          heartbeat: () =>
            heartbeat().catch((error: unknown) => {
              heartbeatFailure = error;
              throw new TransportError(`Kafka heartbeat failed: ${(error as Error).message}`, {
                cause: error,
              });
            }),
          isRunning,
          isStale,
          resolveOffset,
        },
      );
    } catch (error) {
      throw heartbeatFailure ?? error;
    }
  }

  commit(offsets: TopicPartitionOffset[]): Promise<void> {
    return transport('commitOffsets', () => this.consumer.commitOffsets(offsets));
  }

  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  pause(topicPartitions: TopicPartitions[]): void {
    this.consumer.pause(topicPartitions);
  }

  resume(topicPartitions: TopicPartitions[]): void {
    this.consumer.resume(topicPartitions);
  }

  assignments(): TopicPartitions[] {
    return this.assigned.map((a) => ({ topic: a.topic, partitions: [...(a.partitions ?? [])] }));
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private emit<E extends keyof ConsumerEvents>(event: E, payload: ConsumerEvents[E]): void {
    this.events.emit(event, payload);
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}

class KafkaJsAdmin implements AdminPort {
  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
  ) {}

  connect(): Promise<void> {
    return transport('admin connect', () => this.admin.connect());
  }

  async describeCluster(): Promise<ClusterDescription> {
    const cluster = await transport('describeCluster', () => this.admin.describeCluster());
    return { clusterId: cluster.clusterId, controllerId: cluster.controller, brokers: cluster.brokers };
  }

  /**
   * Resolves once every partition of every topic is served by its leader (true when at least one topic
   * was created, false when all existed). The wait for leaders is ours, not kafkajs's `waitForLeaders`: kafkajs asks
   * for the new topics' metadata and gives up on any answer but LEADER_NOT_AVAILABLE, while a KRaft
   * broker may, for a moment after creating a topic, not know it yet ("This server does not host this
   * topic-partition"); a service creating its topics at startup then died of a race it had won.
   *
   * Only the topics missing from the cluster's list are asked for: for one that exists the broker answers
   * TOPIC_ALREADY_EXISTS, which kafkajs logs at ERROR before it returns false, so every restart of a
   * service logged an error line per retry and dead-letter topic. A topic created by someone else between
   * the list and the request still ends the same way, with that one line.
   */
  async createTopics(topics: TopicSpec[]): Promise<boolean> {
    const existing = new Set(await transport('createTopics (listing)', () => this.admin.listTopics()));
    const missing = topics.filter((t) => !existing.has(t.topic));
    const created =
      missing.length > 0 &&
      (await transport('createTopics', () =>
        this.admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.partitions ?? 1,
            replicationFactor: t.replicationFactor ?? -1,
            configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        }),
      ));
    if (topics.length > 0) {
      await transport('createTopics (waiting for leaders)', () => this.untilLed(topics.map((t) => t.topic)));
    }
    return created;
  }

  /**
   * Polls until every partition of the topics answers ListOffsets: not only named a leader in the
   * metadata (which a KRaft broker publishes a moment before the partition's leader serves requests; a
   * ListOffsets then still gets NOT_LEADER_OR_FOLLOWER) but served by it. Within NEW_TOPIC_LEADER_TIMEOUT_MS.
   */
  private async untilLed(topics: string[]): Promise<void> {
    const deadline = Date.now() + NEW_TOPIC_LEADER_TIMEOUT_MS;
    await backOff(
      async () => {
        await Promise.all(topics.map((topic) => this.admin.fetchTopicOffsets(topic)));
      },
      {
        numOfAttempts: Number.POSITIVE_INFINITY,
        startingDelay: 50,
        timeMultiple: 2,
        maxDelay: 1_000,
        // Whatever fails here (an unknown topic, no leader yet, a connection) fails for the last time at
        // the deadline; the topics were created, so each of these is expected to pass.
        retry: () => Date.now() < deadline,
      },
    );
  }

  deleteTopics(topics: string[]): Promise<void> {
    return transport('deleteTopics', () => this.admin.deleteTopics({ topics }));
  }

  listTopics(): Promise<string[]> {
    return transport('listTopics', () => this.admin.listTopics());
  }

  async fetchPartitionCounts(topics: readonly string[]): Promise<Record<string, number>> {
    // kafkajs reads an empty list as "every topic".
    if (topics.length === 0) return {};
    // kafkajs rejects a metadata answer in which a partition reports LEADER_NOT_AVAILABLE and asks again
    // (its own retries) before this resolves; otherwise the leader plays no part in the count.
    const { topics: described } = await transport('fetchTopicMetadata', () =>
      this.admin.fetchTopicMetadata({ topics: [...topics] }),
    );
    return Object.fromEntries(described.map((t) => [t.name, t.partitions.length]));
  }

  async fetchTopicConfigs(
    topics: readonly string[],
    names: readonly string[],
  ): Promise<Record<string, Record<string, string>>> {
    if (topics.length === 0) return {};
    // kafkajs throws the first resource's error itself (a protocol error) rather than returning it.
    const result = await transport('describeConfigs', async () => {
      try {
        return await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: topics.map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            ...(names.length > 0 ? { configNames: [...names] } : {}),
          })),
        });
      } catch (error) {
        if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
          throw new NotFoundError(`A topic of ${topics.join(', ')} does not exist`, { details: { topics } });
        }
        throw error;
      }
    });
    return Object.fromEntries(
      result.resources.map((resource) => {
        if (resource.errorCode === UNKNOWN_TOPIC_OR_PARTITION) {
          throw new NotFoundError(`Topic ${resource.resourceName} does not exist`, {
            details: { topic: resource.resourceName },
          });
        }
        if (resource.errorCode !== 0) {
          throw new TransportError(
            `describeConfigs of topic ${resource.resourceName} failed: ${resource.errorMessage ?? `error code ${resource.errorCode}`}`,
          );
        }
        const config = Object.fromEntries(
          resource.configEntries.flatMap((e) =>
            e.configValue === null ? [] : [[e.configName, e.configValue]],
          ),
        );
        return [resource.resourceName, config];
      }),
    );
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]> {
    const result = await transport('fetchOffsets', () =>
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    );
    return (result[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
  }

  async fetchEndOffsets(topic: string): Promise<PartitionOffset[]> {
    const result = await transport('fetchTopicOffsets', () => this.admin.fetchTopicOffsets(topic));
    return result.map((p) => ({ partition: p.partition, offset: p.high }));
  }

  async fetchPartitionRanges(topic: string): Promise<PartitionRange[]> {
    const result = await transport('fetchTopicOffsets', () => this.admin.fetchTopicOffsets(topic));
    return result
      .map((p) => ({ partition: p.partition, start: p.low, end: p.high }))
      .sort((a, b) => a.partition - b.partition);
  }

  deleteRecords(topic: string, partitions: PartitionOffset[]): Promise<void> {
    return transport('deleteTopicRecords', async () => {
      // kafkajs looks the partitions' leaders up in its metadata cache and fails if the topic is not in it.
      await this.admin.fetchTopicMetadata({ topics: [topic] });
      await this.admin.deleteTopicRecords({ topic, partitions });
    });
  }

  deleteGroups(groupIds: string[]): Promise<void> {
    return transport('deleteGroups', async () => {
      await this.admin.deleteGroups(groupIds);
    });
  }

  listGroups(): Promise<ConsumerGroupListing[]> {
    return listGroups(this.admin);
  }

  describeGroup(groupId: string): Promise<ConsumerGroupDescription> {
    return describeGroup(this.admin, groupId);
  }

  resetGroupOffsets(
    groupId: string,
    reset: GroupOffsetReset,
    options: { dryRun?: boolean } = {},
  ): Promise<GroupOffsetResetPlan> {
    return resetGroupOffsets(this.kafka, this.admin, groupId, reset, options);
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
}

export function createKafkaJsClient(config: KafkaJsClientConfig): KafkaClient {
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.INFO,
    logCreator: kafkaJsLogCreator(config.logger ?? silentLogger),
  });
  return {
    producer(options: ProducerOptions = {}): ProducerPort {
      const transactional = options.transactionalId !== undefined;
      const producer = kafka.producer({
        // Stated, not defaulted (which also makes kafkajs print its v2 "switched default partitioner"
        // notice): murmur2 of the key, the Java client's partitioner, so a key maps to the same partition
        // whichever client produced it. Per-key order rests on it (key = aggregate id).
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: transactional || (options.idempotent ?? true),
        // Idempotence in kafkajs requires a single in-flight request to keep per-partition order.
        maxInFlightRequests: transactional || (options.idempotent ?? true) ? 1 : 5,
        ...(transactional ? { transactionalId: options.transactionalId } : {}),
      });
      return new KafkaJsProducer(producer, options);
    },
    consumer(options: ConsumerOptions): ConsumerPort {
      return new KafkaJsConsumer(
        kafka.consumer({
          groupId: options.groupId,
          readUncommitted: options.isolation === 'read_uncommitted',
          sessionTimeout: options.sessionTimeoutMs ?? 30_000,
          rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
          heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
          maxWaitTimeInMs: options.fetchMaxWaitMs ?? 5_000,
          maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
        }),
      );
    },
    admin(): AdminPort {
      return new KafkaJsAdmin(kafka, kafka.admin());
    },
  };
}
