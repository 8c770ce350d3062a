/**
 * The library's own view of a Kafka client. Everything above this file speaks these types; only an
 * adapter (today `adapters/kafkajs`) knows a concrete client package, so a second adapter can be added
 * and held to the same conformance tests.
 */

export type Headers = Record<string, string | Buffer>;

export interface OutgoingRecord {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Headers;
  /** Normally left to the partitioner (murmur2 of the key, like the Java client). */
  partition?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Base offset of the batch the record was written in. */
  offset: string;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | undefined>;
  /** Broker or producer timestamp in epoch milliseconds, as a string (like the Kafka protocol). */
  timestamp: string;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The offset of the next record to read (last processed + 1), as Kafka expects. */
  offset: string;
}

export interface ProducerOptions {
  /** Idempotent producer (acks=all, sequence numbers). On by default. */
  idempotent?: boolean;
  /** Set to make a transactional producer (implies idempotent). */
  transactionalId?: string;
  compression?: 'none' | 'gzip';
}

export interface ProducerTransaction {
  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]>;
  /** Commits consumer offsets atomically with the records sent in this transaction. */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ProducerPort {
  connect(): Promise<void>;
  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]>;
  /** Only on a producer created with a `transactionalId`. */
  transaction(): Promise<ProducerTransaction>;
  disconnect(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  /** `read_committed` hides records of aborted and open transactions. Default: read_committed. */
  isolation?: 'read_committed' | 'read_uncommitted';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface ConsumerRunOptions {
  /** Called for each record, in order within a partition; the next record of that partition waits. */
  eachRecord(record: ConsumedRecord): Promise<void>;
}

export interface ConsumerPort {
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  /** Starts fetching. Offsets are never committed automatically: call `commit`. */
  run(options: ConsumerRunOptions): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  pause(topicPartitions: { topic: string; partitions?: number[] }[]): void;
  resume(topicPartitions: { topic: string; partitions?: number[] }[]): void;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export interface ClusterDescription {
  clusterId: string;
  controllerId: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
}

export interface PartitionOffset {
  partition: number;
  offset: string;
}

export interface AdminPort {
  connect(): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  /** Creates the topics that do not exist yet and waits for their leaders. Returns true if any was created. */
  createTopics(topics: TopicSpec[]): Promise<boolean>;
  deleteTopics(topics: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Committed offsets of a consumer group on one topic (`-1` where nothing is committed). */
  fetchCommittedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]>;
  /** The log-end offset (high watermark) of each partition of a topic. */
  fetchEndOffsets(topic: string): Promise<PartitionOffset[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  producer(options?: ProducerOptions): ProducerPort;
  consumer(options: ConsumerOptions): ConsumerPort;
  admin(): AdminPort;
}

export interface KafkaClientConfig {
  brokers: string[];
  clientId: string;
  /** Per-request timeout; connection failures surface as `TransportError` after the client's own retries. */
  requestTimeoutMs?: number;
}
