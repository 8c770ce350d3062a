/**
 * The library's own view of a Kafka client. Everything above this file speaks these types; only an
 * adapter (today `adapters/kafkajs`) knows a concrete client package, so a second adapter can be added
 * and held to the same conformance tests (`@orderstream/messaging/conformance`).
 */

export { ConsumerGroupActiveError } from './consumer-group-active.error';

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
  /** How long the coordinator waits without a heartbeat before it evicts the member. Default 30 s. */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance. Default 60 s. */
  rebalanceTimeoutMs?: number;
  /** The least time between two heartbeats; `heartbeat()` calls in between are free. Default 3 s. */
  heartbeatIntervalMs?: number;
  /**
   * Longest time the broker holds a fetch open when there is nothing new. It also bounds how long
   * `disconnect` waits for the fetch in flight, so shutdown is at most about this long. Default 5 s.
   */
  fetchMaxWaitMs?: number;
  /** Most bytes fetched per partition in one request, i.e. the rough size of one batch. Default 1 MiB. */
  maxBytesPerPartition?: number;
}

/** Topics with all their partitions (`partitions` left out) or with the listed ones. */
export interface TopicPartitions {
  topic: string;
  partitions?: number[];
}

/** The records of one partition returned by one fetch, in offset order. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The partition's log-end offset when fetched (the offset the next produced record will get). */
  highWatermark: string;
  /**
   * The offset of the last entry the fetch returned, entries the consumer never sees included: a
   * transaction's commit or abort marker, records of an aborted transaction under read_committed. Past the
   * last record when the batch ends on such entries. A consumer that finished every record commits past
   * it, as Kafka's Java consumer does, so a marker is not counted as lag forever. Absent where the client
   * cannot tell.
   */
  lastOffset?: string;
}

/** What a batch handler may do with the consumer while it works through a batch. */
export interface BatchControls {
  /**
   * Sends a heartbeat if one is due (cheap to call often). Rejects when the group is rebalancing or the
   * member was evicted: stop starting records, commit what is finished, and let that rejection propagate
   * out of `eachBatch` so the client rejoins the group.
   */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once `seek` was called on this partition: the rest of this batch is obsolete. */
  isStale(): boolean;
  /**
   * Marks the records up to and including `offset` as consumed: the next fetch of this partition starts
   * after it. Not a commit. Records left unresolved are fetched again, so a batch handler that stops
   * half-way resolves only what it finished.
   */
  resolveOffset(offset: string): void;
}

/** Per-record consumption, in order within a partition; the next record of that partition waits. */
export interface EachRecordRunOptions {
  eachRecord(record: ConsumedRecord): Promise<void>;
  eachBatch?: never;
}

/**
 * Per-batch consumption: one call per partition per fetch, never two at once for the same partition.
 * Nothing is resolved or committed automatically: the handler calls `resolveOffset` and `commit`.
 */
export interface EachBatchRunOptions {
  eachBatch(batch: ConsumedBatch, controls: BatchControls): Promise<void>;
  /** How many partitions' batches are handled at the same time. Default 1. */
  partitionsConsumedConcurrently?: number;
  eachRecord?: never;
}

export type ConsumerRunOptions = EachRecordRunOptions | EachBatchRunOptions;

/** Group membership events, for health indicators, metrics and logs. */
export interface ConsumerEvents {
  /** The member joined (or rejoined) the group and received these partitions. */
  'group-join': { groupId: string; memberId: string; isLeader: boolean; assignments: TopicPartitions[] };
  /** The group started rebalancing; the assignment is void until the next `group-join`. */
  rebalancing: { groupId: string; memberId: string };
  /** The client gave up on an error; `restart` says whether it rejoins by itself. */
  crash: { groupId: string; error: Error; restart: boolean };
}

export interface ConsumerPort {
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  /** Starts fetching. Offsets are never committed automatically: call `commit`. */
  run(options: ConsumerRunOptions): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /**
   * The next fetch of the partition starts at `offset` (only after `run`; no commit). Like `pause` and
   * `resume`, it may throw while the consumer is not a member of the group: before `run`, and while the
   * client restarts it after a crash (`crash` with `restart`, until the next `group-join`).
   */
  seek(topic: string, partition: number, offset: string): void;
  /**
   * Stops fetching the partitions; what was fetched already is still handed out. A consumer the client
   * restarted after a crash may have forgotten its pauses (kafkajs does): whoever pauses applies them again
   * at `group-join`.
   */
  pause(topicPartitions: TopicPartitions[]): void;
  resume(topicPartitions: TopicPartitions[]): void;
  /** The partitions assigned to this member since the last `group-join` (empty while rebalancing). */
  assignments(): TopicPartitions[];
  /** Subscribes to a group event; returns the unsubscribe function. */
  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void;
  /** Leaves the group (after the batches in progress return) and closes the connections. */
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

/** A partition's log: `start` is its first retained offset, `end` the offset the next record will get. */
export interface PartitionRange {
  partition: number;
  start: string;
  end: string;
}

/** A consumer group as the cluster lists it. */
export interface ConsumerGroupListing {
  groupId: string;
  /** `consumer` for a consumer group; empty for a group that only holds offsets (never had a member). */
  protocolType: string;
}

/**
 * The group coordinator's state of a group. `Empty`: no members (offsets may remain); `Dead`: the group
 * does not exist (never did, or was deleted); `Unknown`: a state this port does not name.
 */
export type ConsumerGroupState =
  'Empty' | 'Stable' | 'PreparingRebalance' | 'CompletingRebalance' | 'Dead' | 'Unknown';

export interface ConsumerGroupMember {
  memberId: string;
  clientId: string;
  /** As the broker saw the connection, e.g. `/127.0.0.1`. */
  clientHost: string;
  /** The partitions the member was assigned, sorted (empty while the group rebalances). */
  assignments: TopicPartitions[];
}

/** Where a group stands on one partition. */
export interface ConsumerGroupOffset {
  topic: string;
  partition: number;
  /** The next offset the group reads, `-1` where it committed nothing. */
  committedOffset: string;
  /** The partition's log-end offset. */
  endOffset: string;
  /** `endOffset - committedOffset`; where nothing is committed, the whole log (`endOffset`), like `measureLag`. */
  lag: number;
}

export interface ConsumerGroupDescription {
  groupId: string;
  state: ConsumerGroupState;
  members: ConsumerGroupMember[];
  /**
   * Every partition of every topic the group committed offsets for or a member is assigned, sorted by
   * topic and partition.
   */
  offsets: ConsumerGroupOffset[];
}

/**
 * Where `resetGroupOffsets` moves a group: to the first retained record (`earliest`), past the last
 * (`latest`), to the first record whose timestamp is at or after `timestamp` (epoch ms; the log end where
 * there is none) of the listed topics (all their partitions, or the listed ones), or to explicit offsets,
 * which must lie within the partition's log.
 */
export type GroupOffsetReset =
  | { to: 'earliest' | 'latest'; topics: TopicPartitions[] }
  | { to: 'timestamp'; timestamp: number; topics: TopicPartitions[] }
  | { to: 'offsets'; offsets: TopicPartitionOffset[] };

/** What a reset did (or with `dryRun` would do) on each partition it touches, sorted by topic and partition. */
export interface GroupOffsetResetPlan {
  groupId: string;
  /** True when nothing was changed. */
  dryRun: boolean;
  partitions: { topic: string; partition: number; currentOffset: string; newOffset: string }[];
}

export interface AdminPort {
  connect(): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  /** Creates the topics that do not exist yet and waits for their leaders. Returns true if any was created. */
  createTopics(topics: TopicSpec[]): Promise<boolean>;
  deleteTopics(topics: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /**
   * The number of partitions of each topic, from cluster metadata: no partition leader is asked, so a topic
   * created a moment ago counts in full while its leaders are still taking over (a ListOffsets request,
   * as `fetchEndOffsets` sends, fails then). Rejects if a topic does not exist; never creates one.
   */
  fetchPartitionCounts(topics: readonly string[]): Promise<Record<string, number>>;
  /**
   * The named settings (`cleanup.policy`, `retention.ms`, …; all of them when `names` is empty) of each
   * topic, defaults included, as the broker reports them. Rejects if a topic does not exist.
   */
  fetchTopicConfigs(
    topics: readonly string[],
    names: readonly string[],
  ): Promise<Record<string, Record<string, string>>>;
  /** Committed offsets of a consumer group on one topic (`-1` where nothing is committed). */
  fetchCommittedOffsets(groupId: string, topic: string): Promise<PartitionOffset[]>;
  /** The log-end offset (high watermark) of each partition of a topic. */
  fetchEndOffsets(topic: string): Promise<PartitionOffset[]>;
  /** Each partition's first retained offset and log end. */
  fetchPartitionRanges(topic: string): Promise<PartitionRange[]>;
  /**
   * Deletes the records of each named partition below `offset` (Kafka's DeleteRecords: the log start
   * moves up; records cannot be deleted one by one). `offset` may be the log end, which empties it.
   */
  deleteRecords(topic: string, partitions: PartitionOffset[]): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<void>;
  /** Every consumer group the cluster knows, sorted by id. */
  listGroups(): Promise<ConsumerGroupListing[]>;
  /**
   * A group's state, its members with their assignments, and its committed offsets with lag. A group that
   * does not exist is `Dead`, with no members and no offsets.
   */
  describeGroup(groupId: string): Promise<ConsumerGroupDescription>;
  /**
   * Moves a group's committed offsets and returns the plan (old and new offset per partition); with
   * `dryRun` it only returns the plan. Only a group without members can be reset: one with members is
   * refused with `ConsumerGroupActiveError` before anything changes, and so is a dry run of it. A
   * partition the topic does not have or an explicit offset outside the log is a `ValidationError`; a
   * topic that does not exist, a `NotFoundError`.
   */
  resetGroupOffsets(
    groupId: string,
    reset: GroupOffsetReset,
    options?: { dryRun?: boolean },
  ): Promise<GroupOffsetResetPlan>;
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
