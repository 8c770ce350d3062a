/**
 * A namespace for everything a service names on the cluster: topics (and so their retry and dead-letter
 * topics), consumer groups and transactional ids. `namespacedKafkaClient(client, 'e2e-7f3a')` returns a
 * client through which `orders.events` is `e2e-7f3a.orders.events` on the broker and group `payments` is
 * `e2e-7f3a.payments`, while the code above the port keeps speaking the logical names: records, batches,
 * assignments, offsets and group descriptions come back with the prefix removed, and listings show only
 * the namespace's own topics and groups.
 *
 * It exists for isolation: two copies of the system (two e2e systems, two integration tests, a developer's
 * demo next to CI) share one cluster without sharing a topic, a group or a transactional id, so Nx may run
 * them at once. In production the namespace is normally empty and the client is used as it is (this
 * decorator is not even in the call path); a shared cluster for several environments can set one per
 * environment. The schema registry is not namespaced: subjects are record names, the same schema in every
 * namespace.
 *
 * Physical names appear only in what the broker itself reports (error messages, kafkajs logs) and in
 * `x-*` headers no code above the port writes. Header values that name a topic (`x-dlt-original-topic`)
 * are written above the port and so hold logical names, which is what an operator tool in the same
 * namespace needs to find them again.
 */
import type {
  AdminPort,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerGroupDescription,
  ConsumerOptions,
  ConsumerPort,
  ConsumerRunOptions,
  GroupOffsetReset,
  GroupOffsetResetPlan,
  KafkaClient,
  ProducerOptions,
  ProducerPort,
  ProducerTransaction,
  RecordMetadata,
  TopicPartitionOffset,
  TopicPartitions,
} from './kafka-client.port';
import { ConsumerGroupActiveError } from './consumer-group-active.error';

/** What a namespace may be: it becomes part of topic names, so Kafka's topic characters, and short. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** The separator between a namespace and the logical name (`<namespace>.<name>`). */
const SEPARATOR = '.';

/** Rejects a namespace that is not usable in a topic name. */
export function assertNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new TypeError(
      `Kafka namespace "${namespace}" must be 1-40 of [A-Za-z0-9_-] (it prefixes topics, groups and transactional ids)`,
    );
  }
}

/** Maps logical names to physical ones and back for one namespace. */
export class KafkaNamespace {
  private readonly prefix: string;

  constructor(readonly namespace: string) {
    assertNamespace(namespace);
    this.prefix = `${namespace}${SEPARATOR}`;
  }

  /** The broker's name of a logical topic, group or transactional id. */
  physical(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** The logical name of a physical one, or undefined when it is not in this namespace. */
  logical(name: string): string | undefined {
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : undefined;
  }

  /** The logical name of a physical one the broker returned for a request of ours (always ours). */
  own(name: string): string {
    return this.logical(name) ?? name;
  }
}

/**
 * The client with every topic, group and transactional id in `namespace`. An empty or absent namespace
 * returns `client` itself.
 */
export function namespacedKafkaClient(client: KafkaClient, namespace: string | undefined): KafkaClient {
  if (namespace === undefined || namespace === '') return client;
  const ns = new KafkaNamespace(namespace);
  return {
    producer: (options?: ProducerOptions) =>
      namespacedProducer(client.producer(withTransactionalId(ns, options)), ns),
    consumer: (options: ConsumerOptions) =>
      namespacedConsumer(client.consumer({ ...options, groupId: ns.physical(options.groupId) }), ns),
    admin: () => namespacedAdmin(client.admin(), ns),
  };
}

function withTransactionalId(ns: KafkaNamespace, options?: ProducerOptions): ProducerOptions | undefined {
  if (options?.transactionalId === undefined) return options;
  return { ...options, transactionalId: ns.physical(options.transactionalId) };
}

const toPhysicalOffsets = (ns: KafkaNamespace, offsets: TopicPartitionOffset[]): TopicPartitionOffset[] =>
  offsets.map((o) => ({ ...o, topic: ns.physical(o.topic) }));

const toPhysicalPartitions = (ns: KafkaNamespace, topics: TopicPartitions[]): TopicPartitions[] =>
  topics.map((t) => ({ ...t, topic: ns.physical(t.topic) }));

const toLogicalPartitions = (ns: KafkaNamespace, topics: TopicPartitions[]): TopicPartitions[] =>
  topics.map((t) => ({ ...t, topic: ns.own(t.topic) }));

const toLogicalMetadata = (ns: KafkaNamespace, metadata: RecordMetadata[]): RecordMetadata[] =>
  metadata.map((m) => ({ ...m, topic: ns.own(m.topic) }));

function namespacedProducer(producer: ProducerPort, ns: KafkaNamespace): ProducerPort {
  return {
    connect: () => producer.connect(),
    send: async (topic, records) => toLogicalMetadata(ns, await producer.send(ns.physical(topic), records)),
    transaction: async () => namespacedTransaction(await producer.transaction(), ns),
    disconnect: () => producer.disconnect(),
  };
}

function namespacedTransaction(transaction: ProducerTransaction, ns: KafkaNamespace): ProducerTransaction {
  return {
    send: async (topic, records) =>
      toLogicalMetadata(ns, await transaction.send(ns.physical(topic), records)),
    sendOffsets: (groupId, offsets) =>
      transaction.sendOffsets(ns.physical(groupId), toPhysicalOffsets(ns, offsets)),
    commit: () => transaction.commit(),
    abort: () => transaction.abort(),
  };
}

function logicalRecord(ns: KafkaNamespace, record: ConsumedRecord): ConsumedRecord {
  return { ...record, topic: ns.own(record.topic) };
}

function logicalBatch(ns: KafkaNamespace, batch: ConsumedBatch): ConsumedBatch {
  const topic = ns.own(batch.topic);
  return { ...batch, topic, records: batch.records.map((record) => ({ ...record, topic })) };
}

function namespacedConsumer(consumer: ConsumerPort, ns: KafkaNamespace): ConsumerPort {
  const run = (options: ConsumerRunOptions): Promise<void> => {
    if (options.eachBatch) {
      const { eachBatch } = options;
      return consumer.run({
        ...options,
        eachBatch: (batch, controls) => eachBatch(logicalBatch(ns, batch), controls),
      });
    }
    const { eachRecord } = options;
    return consumer.run({ ...options, eachRecord: (record) => eachRecord(logicalRecord(ns, record)) });
  };
  return {
    connect: () => consumer.connect(),
    subscribe: (topics, options) =>
      consumer.subscribe(
        topics.map((topic) => ns.physical(topic)),
        options,
      ),
    run,
    commit: (offsets) => consumer.commit(toPhysicalOffsets(ns, offsets)),
    seek: (topic, partition, offset) => consumer.seek(ns.physical(topic), partition, offset),
    pause: (topics) => consumer.pause(toPhysicalPartitions(ns, topics)),
    resume: (topics) => consumer.resume(toPhysicalPartitions(ns, topics)),
    assignments: () => toLogicalPartitions(ns, consumer.assignments()),
    on: <E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void) =>
      consumer.on(event, (payload) => listener(logicalEvent(ns, payload) as ConsumerEvents[E])),
    disconnect: () => consumer.disconnect(),
  };
}

/** Every consumer event carries the group id; `group-join` also the assignment. */
function logicalEvent(
  ns: KafkaNamespace,
  payload: ConsumerEvents[keyof ConsumerEvents],
): ConsumerEvents[keyof ConsumerEvents] {
  const groupId = ns.own(payload.groupId);
  if ('assignments' in payload) {
    return { ...payload, groupId, assignments: toLogicalPartitions(ns, payload.assignments) };
  }
  return { ...payload, groupId };
}

function logicalGroup(ns: KafkaNamespace, group: ConsumerGroupDescription): ConsumerGroupDescription {
  return {
    ...group,
    groupId: ns.own(group.groupId),
    members: group.members.map((m) => ({ ...m, assignments: toLogicalPartitions(ns, m.assignments) })),
    offsets: group.offsets.map((o) => ({ ...o, topic: ns.own(o.topic) })),
  };
}

function physicalReset(ns: KafkaNamespace, reset: GroupOffsetReset): GroupOffsetReset {
  if (reset.to === 'offsets') return { ...reset, offsets: toPhysicalOffsets(ns, reset.offsets) };
  return { ...reset, topics: toPhysicalPartitions(ns, reset.topics) };
}

function logicalPlan(ns: KafkaNamespace, plan: GroupOffsetResetPlan): GroupOffsetResetPlan {
  return {
    ...plan,
    groupId: ns.own(plan.groupId),
    partitions: plan.partitions.map((p) => ({ ...p, topic: ns.own(p.topic) })),
  };
}

function namespacedAdmin(admin: AdminPort, ns: KafkaNamespace): AdminPort {
  const inNamespace = (names: string[]): string[] =>
    names.flatMap((name) => {
      const logical = ns.logical(name);
      return logical === undefined ? [] : [logical];
    });
  return {
    connect: () => admin.connect(),
    describeCluster: () => admin.describeCluster(),
    createTopics: (topics) => admin.createTopics(topics.map((t) => ({ ...t, topic: ns.physical(t.topic) }))),
    deleteTopics: (topics) => admin.deleteTopics(topics.map((topic) => ns.physical(topic))),
    listTopics: async () => inNamespace(await admin.listTopics()),
    fetchPartitionCounts: async (topics) => {
      const counts = await admin.fetchPartitionCounts(topics.map((topic) => ns.physical(topic)));
      return Object.fromEntries(Object.entries(counts).map(([topic, count]) => [ns.own(topic), count]));
    },
    fetchTopicConfigs: async (topics, names) => {
      const configs = await admin.fetchTopicConfigs(
        topics.map((topic) => ns.physical(topic)),
        names,
      );
      return Object.fromEntries(Object.entries(configs).map(([topic, config]) => [ns.own(topic), config]));
    },
    fetchCommittedOffsets: (groupId, topic) =>
      admin.fetchCommittedOffsets(ns.physical(groupId), ns.physical(topic)),
    fetchEndOffsets: (topic) => admin.fetchEndOffsets(ns.physical(topic)),
    fetchPartitionRanges: (topic) => admin.fetchPartitionRanges(ns.physical(topic)),
    deleteRecords: (topic, partitions) => admin.deleteRecords(ns.physical(topic), partitions),
    deleteGroups: (groupIds) => admin.deleteGroups(groupIds.map((groupId) => ns.physical(groupId))),
    listGroups: async () =>
      (await admin.listGroups()).flatMap((group) => {
        const groupId = ns.logical(group.groupId);
        return groupId === undefined ? [] : [{ ...group, groupId }];
      }),
    describeGroup: async (groupId) => logicalGroup(ns, await admin.describeGroup(ns.physical(groupId))),
    resetGroupOffsets: async (groupId, reset, options) => {
      try {
        return logicalPlan(
          ns,
          await admin.resetGroupOffsets(ns.physical(groupId), physicalReset(ns, reset), options),
        );
      } catch (error) {
        // The refusal names the group; a caller compares it with the id it asked about.
        if (error instanceof ConsumerGroupActiveError) {
          throw new ConsumerGroupActiveError(groupId, error.state, error.memberIds);
        }
        throw error;
      }
    },
    disconnect: () => admin.disconnect(),
  };
}

/**
 * Deletes every consumer group and topic a namespaced admin lists, i.e. everything a test system left in
 * its namespace. Call it once the namespace's consumers have left (a group with members is not deleted).
 *
 * A member whose process stopped without leaving (a service stopped in the middle of an operator's read,
 * which joins a throwaway group) holds its group until its session times out, and a group someone else
 * deletes meanwhile is listed but gone: so the groups still listed are deleted again, once a second, for
 * up to `timeoutMs` (default 45 s, past the default 30 s session), before the last error is thrown.
 */
export async function deleteNamespaceContents(
  admin: AdminPort,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    const groups = (await admin.listGroups()).map((group) => group.groupId);
    if (groups.length === 0) break;
    try {
      await admin.deleteGroups(groups);
      break;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  const topics = await admin.listTopics();
  if (topics.length > 0) await admin.deleteTopics(topics);
}
