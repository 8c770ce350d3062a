/**
 * The kafkajs adapter's consumer-group operations behind `AdminPort`: list groups, describe one (state,
 * members and their assignments, committed offsets and lag) and reset a group's offsets.
 *
 * The reset does not use kafkajs's `admin.setOffsets`: that joins the group with a throwaway consumer and
 * stops it after its first fetch, which it has paused, so each call takes the fetch's 5 s wait (measured:
 * 5.0 s per topic). It cannot be shortened, and kafkajs exposes no admin offset commit. So the reset joins
 * the group itself with a consumer that fetches nothing, checks it is the only member, and commits as
 * that member. The coordinator checks a member's commit against the group's generation, so once another
 * member has been given partitions the commit fails instead of overwriting offsets that member is
 * already reading from. A transaction's `sendOffsets` would commit without joining, but the coordinator
 * accepts it from outside the group even while the group has members.
 */
import { AssignerProtocol, type Admin, type GroupDescription, type Kafka } from 'kafkajs';
import { NotFoundError, ValidationError } from '../../errors/application.error';
import { TransportError } from '../../errors/messaging.error';
import type {
  ConsumerGroupDescription,
  ConsumerGroupListing,
  ConsumerGroupMember,
  ConsumerGroupOffset,
  ConsumerGroupState,
  GroupOffsetReset,
  GroupOffsetResetPlan,
  TopicPartitions,
} from '../../ports/kafka-client.port';
import { ConsumerGroupActiveError } from '../../ports/consumer-group-active.error';
import { transport } from './kafkajs-transport';

/**
 * How long a reset waits to join the group. An empty group takes the broker's
 * `group.initial.rebalance.delay.ms` (3 s by default) plus a few round trips. Beyond this the cluster is
 * in trouble and the caller should hear of it.
 */
const RESET_JOIN_TIMEOUT_MS = 30_000;

const STATES: readonly string[] = [
  'Empty',
  'Stable',
  'PreparingRebalance',
  'CompletingRebalance',
  'Dead',
] satisfies ConsumerGroupState[];

function toState(state: string): ConsumerGroupState {
  return STATES.includes(state) ? (state as ConsumerGroupState) : 'Unknown';
}

const byTopicAndPartition = (
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
): number => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);

/** Only a consumer group's assignment has the consumer protocol's format; others' (Connect's) are opaque. */
function memberAssignments(protocolType: string, assignment: Buffer): TopicPartitions[] {
  if (protocolType !== 'consumer') return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
  if (decoded === null) return [];
  return Object.entries(decoded.assignment)
    .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
    .sort((a, b) => (a.topic < b.topic ? -1 : 1));
}

function lag(committedOffset: string, endOffset: string): number {
  const end = BigInt(endOffset);
  const position = BigInt(committedOffset);
  const behind = position < 0n ? end : end - position;
  return Number(behind < 0n ? 0n : behind);
}

async function describeGroupOnly(admin: Admin, groupId: string): Promise<GroupDescription | undefined> {
  const { groups } = await transport('describeGroups', () => admin.describeGroups([groupId]));
  return groups.find((g) => g.groupId === groupId);
}

export async function listGroups(admin: Admin): Promise<ConsumerGroupListing[]> {
  const { groups } = await transport('listGroups', () => admin.listGroups());
  return groups
    .map(({ groupId, protocolType }) => ({ groupId, protocolType }))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

export async function describeGroup(admin: Admin, groupId: string): Promise<ConsumerGroupDescription> {
  const [group, committed] = await Promise.all([
    describeGroupOnly(admin, groupId),
    // No topics: every topic the group committed offsets for, and only the partitions it committed.
    transport('fetchOffsets', () => admin.fetchOffsets({ groupId })),
  ]);
  const members: ConsumerGroupMember[] = (group?.members ?? [])
    .map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignments: memberAssignments(group?.protocolType ?? '', m.memberAssignment),
    }))
    .sort((a, b) => (a.memberId < b.memberId ? -1 : 1));

  const committedOffsets = new Map(
    committed.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, p.offset]))]),
  );
  const topics = new Set([
    ...committedOffsets.keys(),
    ...members.flatMap((m) => m.assignments.map((a) => a.topic)),
  ]);
  const offsets: ConsumerGroupOffset[] = [];
  for (const topic of [...topics].sort()) {
    const ends = await transport('fetchTopicOffsets', () => admin.fetchTopicOffsets(topic));
    for (const { partition, high } of ends) {
      const committedOffset = committedOffsets.get(topic)?.get(partition) ?? '-1';
      offsets.push({
        topic,
        partition,
        committedOffset,
        endOffset: high,
        lag: lag(committedOffset, high),
      });
    }
  }
  return {
    groupId,
    state: toState(group?.state ?? 'Dead'),
    members,
    offsets: offsets.sort(byTopicAndPartition),
  };
}

function refuseIfActive(groupId: string, group: GroupDescription | undefined, self?: string): void {
  const others = (group?.members ?? []).map((m) => m.memberId).filter((id) => id !== self);
  if (others.length > 0) throw new ConsumerGroupActiveError(groupId, group?.state ?? 'Unknown', others);
}

type PlannedOffset = GroupOffsetResetPlan['partitions'][number];

/** A partition's log: its first retained offset and its log end. */
interface PartitionLog {
  partition: number;
  low: string;
  high: string;
}

/** The offset `reset` moves a partition to, where `explicit` is the one `offsets` names for it. */
function newOffset(
  reset: GroupOffsetReset,
  topic: string,
  log: PartitionLog,
  explicit: string | undefined,
  atTimestamp: ReadonlyMap<number, string>,
): string {
  switch (reset.to) {
    case 'earliest':
      return log.low;
    case 'latest':
      return log.high;
    case 'timestamp':
      return atTimestamp.get(log.partition) ?? log.high;
    case 'offsets': {
      const offset = String(explicit);
      if (!/^\d+$/.test(offset) || BigInt(offset) < BigInt(log.low) || BigInt(offset) > BigInt(log.high)) {
        throw new ValidationError(
          `Offset ${offset} is outside ${topic} partition ${log.partition}'s log [${log.low}, ${log.high}]`,
          { details: { topic, partition: log.partition, offset, earliest: log.low, latest: log.high } },
        );
      }
      return offset;
    }
  }
}

/** Each (topic, partition) the reset names, with the offset it moves to, checked against the topic's log. */
async function targets(
  admin: Admin,
  groupId: string,
  reset: GroupOffsetReset,
): Promise<{ topic: string; partition: number; newOffset: string }[]> {
  // A topic without `partitions` stands for all of its partitions (`partition` undefined).
  const requested: { topic: string; partition?: number; offset?: string }[] =
    reset.to === 'offsets'
      ? reset.offsets
      : reset.topics.flatMap(({ topic, partitions }) =>
          partitions ? partitions.map((partition) => ({ topic, partition })) : [{ topic }],
        );
  if (requested.length === 0) {
    throw new ValidationError(`The offset reset of group "${groupId}" names no partition`, {
      details: { groupId },
    });
  }
  if (reset.to === 'timestamp' && !(Number.isFinite(reset.timestamp) && reset.timestamp >= 0)) {
    throw new ValidationError(`Offset reset timestamp ${reset.timestamp} is not an epoch millisecond`, {
      details: { groupId, timestamp: reset.timestamp },
    });
  }
  const topics = [...new Set(requested.map((r) => r.topic))];
  const existing = new Set(await transport('listTopics', () => admin.listTopics()));
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new NotFoundError(`Topic(s) ${missing.join(', ')} do not exist`, { details: { groupId, missing } });
  }

  const planned: { topic: string; partition: number; newOffset: string }[] = [];
  for (const topic of topics) {
    const [logs, atTimestamp] = await Promise.all([
      transport('fetchTopicOffsets', () => admin.fetchTopicOffsets(topic)),
      reset.to === 'timestamp'
        ? // The first offset whose timestamp is at or after it; kafkajs answers the log end where none is.
          transport('fetchTopicOffsetsByTimestamp', () =>
            admin.fetchTopicOffsetsByTimestamp(topic, reset.timestamp),
          )
        : [],
    ]);
    const forTopic = requested.filter((r) => r.topic === topic);
    const partitions = forTopic.some((r) => r.partition === undefined)
      ? logs.map(({ partition }) => ({ partition, offset: undefined }))
      : forTopic;
    const timestamped = new Map(atTimestamp.map((t) => [t.partition, t.offset]));
    for (const { partition, offset } of partitions) {
      const log = logs.find((l) => l.partition === partition);
      if (log === undefined) {
        throw new ValidationError(`Topic ${topic} has no partition ${partition}`, {
          details: { groupId, topic, partition, partitions: logs.length },
        });
      }
      if (planned.some((p) => p.topic === topic && p.partition === log.partition)) {
        throw new ValidationError(`The offset reset names ${topic} partition ${log.partition} twice`, {
          details: { groupId, topic, partition: log.partition },
        });
      }
      planned.push({
        topic,
        partition: log.partition,
        newOffset: newOffset(reset, topic, log, offset, timestamped),
      });
    }
  }
  return planned;
}

export async function resetGroupOffsets(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  reset: GroupOffsetReset,
  options: { dryRun?: boolean },
): Promise<GroupOffsetResetPlan> {
  // Checked before planning too, so a dry run of an active group says what a real reset would say.
  refuseIfActive(groupId, await describeGroupOnly(admin, groupId));
  const planned = await targets(admin, groupId, reset);
  const topics = [...new Set(planned.map((p) => p.topic))];
  const current = await transport('fetchOffsets', () => admin.fetchOffsets({ groupId, topics }));
  const partitions: PlannedOffset[] = planned
    .map(({ topic, partition, newOffset }) => ({
      topic,
      partition,
      currentOffset:
        current.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ??
        '-1',
      newOffset,
    }))
    .sort(byTopicAndPartition);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) await commitAsOnlyMember(kafka, admin, groupId, partitions);
  return { groupId, dryRun, partitions };
}

/** Joins the group with a consumer that fetches nothing and commits the offsets if it is alone in it. */
async function commitAsOnlyMember(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  offsets: PlannedOffset[],
): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  // A short fetch wait: leaving the group waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<string>((resolve, reject) => {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // In the listener, before the first fetch starts: this member never reads a record.
      consumer.pause(topics.map((topic) => ({ topic })));
      resolve(payload.memberId);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    timer = setTimeout(
      () => reject(new Error(`not joined within ${RESET_JOIN_TIMEOUT_MS} ms`)),
      RESET_JOIN_TIMEOUT_MS,
    );
  });
  // Rejections are awaited below; until then, do not report them as unhandled.
  joined.catch(() => undefined);
  try {
    await transport('offset reset (join group)', async () => {
      await consumer.connect();
      await consumer.subscribe({ topics });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async () => undefined,
      });
    });
    const memberId = await transport('offset reset (join group)', () => joined);
    refuseIfActive(groupId, await describeGroupOnly(admin, groupId), memberId);
    try {
      await consumer.commitOffsets(
        offsets.map(({ topic, partition, newOffset }) => ({ topic, partition, offset: newOffset })),
      );
    } catch (error) {
      // The coordinator refused this member's generation: someone joined since the check.
      refuseIfActive(groupId, await describeGroupOnly(admin, groupId), memberId);
      throw new TransportError(`Kafka offset reset commit failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
