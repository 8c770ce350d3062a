/**
 * A consumer group's offsets as Kafka's own `kafka-consumer-groups.sh --describe` counts them (committed
 * offset against log end), with the lag in seconds beside the lag in records: what `npm run ops -- groups
 * describe` prints and what the console's groups panel shows (see lag-seconds.ts for how the age is found).
 */
import type { AdminPort, ConsumerGroupDescription, KafkaClient } from '@orderstream/messaging';
import { lagSeconds, nextRecordRanges, type PartitionLagSeconds } from './lag-seconds';
import { readNextRecords } from './read-next-records';

/** One partition of `describe`'s answer. */
export interface DescribedPartition {
  topic: string;
  partition: number;
  /** `null` where the group committed nothing. */
  committedOffset: string | null;
  endOffset: string;
  lag: number;
  lagSeconds: number | null;
  lagSecondsFrom: PartitionLagSeconds['from'];
  /** The member assigned the partition, if any. */
  memberId: string | null;
}

export interface DescribedGroup {
  groupId: string;
  state: ConsumerGroupDescription['state'];
  members: ConsumerGroupDescription['members'];
  /** Why the lag in seconds could not be measured (each lagging partition's is `null` then). */
  lagSecondsError: string | null;
  partitions: DescribedPartition[];
}

/** A group's offsets with lag in records and in seconds. */
export async function describeWithLagSeconds(
  client: KafkaClient,
  admin: AdminPort,
  groupId: string,
): Promise<DescribedGroup> {
  const group = await admin.describeGroup(groupId);
  const logStarts = new Map<string, string>();
  for (const topic of new Set(group.offsets.filter((o) => o.lag > 0).map((o) => o.topic))) {
    for (const { partition, start } of await admin.fetchPartitionRanges(topic)) {
      logStarts.set(`${topic}\u0000${partition}`, start);
    }
  }
  const ranges = nextRecordRanges(group.offsets, logStarts);
  // The offsets are worth showing even when the records cannot be read (a partition without a leader).
  let lagSecondsError: string | null = null;
  const records = await readNextRecords(client, ranges).catch((error: unknown) => {
    lagSecondsError = error instanceof Error ? error.message : String(error);
    return undefined;
  });
  const seconds = lagSeconds(group.offsets, ranges, records ?? [], Date.now()).map((s) =>
    records === undefined && s.from !== null ? { ...s, seconds: null } : s,
  );
  const memberOf = (topic: string, partition: number): string | null =>
    group.members.find((m) =>
      m.assignments.some((a) => a.topic === topic && (a.partitions ?? []).includes(partition)),
    )?.memberId ?? null;
  return {
    groupId,
    state: group.state,
    members: group.members,
    lagSecondsError,
    partitions: group.offsets.map((o, i) => ({
      topic: o.topic,
      partition: o.partition,
      committedOffset: BigInt(o.committedOffset) < 0n ? null : o.committedOffset,
      endOffset: o.endOffset,
      lag: o.lag,
      lagSeconds: seconds[i]?.seconds ?? null,
      lagSecondsFrom: seconds[i]?.from ?? null,
      memberId: memberOf(o.topic, o.partition),
    })),
  };
}
