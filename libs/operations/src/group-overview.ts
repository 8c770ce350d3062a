/**
 * Each consumer group's standing for the console: state, members, lag in records and the age of its oldest
 * unconsumed record, the way Kafka's own tool would count it (committed offset against log end), plus how
 * many messages wait in its dead-letter topic.
 *
 * The age is that of the record at the committed offset (the next one the group will read): now minus its
 * timestamp. A group that has not committed on a partition is counted from the partition's first record.
 */
import {
  readRecords,
  type ConsumerGroupDescription,
  type ConsumerGroupOffset,
  type KafkaClient,
  type RecordRange,
} from '@orderstream/messaging';

export interface PartitionStanding extends ConsumerGroupOffset {
  /** Seconds since the next unconsumed record was written; 0 without lag. */
  ageSeconds: number;
}

export interface GroupStanding {
  groupId: string;
  state: ConsumerGroupDescription['state'];
  members: number;
  lag: number;
  oldestAgeSeconds: number;
  partitions: PartitionStanding[];
}

/** Groups the operator tooling itself creates (readers, redrive jobs): not part of the system's picture. */
export function isToolingGroup(groupId: string): boolean {
  return groupId.startsWith('orderstream-reader-') || /\.redrive\.[0-9a-f-]{36}$/.test(groupId);
}

/** The standing of the named groups, or of every consumer group on the cluster. */
export async function groupStandings(
  client: KafkaClient,
  options: { groups?: readonly string[]; now?: () => number } = {},
): Promise<GroupStanding[]> {
  const admin = client.admin();
  await admin.connect();
  let descriptions: ConsumerGroupDescription[];
  const starts = new Map<string, string>();
  try {
    const groupIds =
      options.groups ??
      (await admin.listGroups())
        .filter((g) => g.protocolType === 'consumer' && !isToolingGroup(g.groupId))
        .map((g) => g.groupId);
    descriptions = await Promise.all(groupIds.map((groupId) => admin.describeGroup(groupId)));
    const topics = new Set(
      descriptions.flatMap((d) => d.offsets.filter((o) => o.lag > 0).map((o) => o.topic)),
    );
    for (const topic of topics) {
      for (const range of await admin.fetchPartitionRanges(topic)) {
        starts.set(`${topic}:${range.partition}`, range.start);
      }
    }
  } finally {
    await admin.disconnect();
  }

  const next = (o: ConsumerGroupOffset): string => {
    const start = starts.get(`${o.topic}:${o.partition}`) ?? '0';
    return BigInt(o.committedOffset) < BigInt(start) ? start : o.committedOffset;
  };
  const lagging = new Map<string, RecordRange>();
  for (const d of descriptions) {
    for (const o of d.offsets) {
      if (o.lag <= 0) continue;
      const from = next(o);
      lagging.set(`${o.topic}:${o.partition}:${from}`, {
        topic: o.topic,
        partition: o.partition,
        fromOffset: from,
        toOffset: String(BigInt(from) + 1n),
      });
    }
  }
  // One read for all of them; ranges of the same partition at different offsets are read one by one.
  const timestamps = new Map<string, number>();
  const byPartition = new Map<string, RecordRange[]>();
  for (const range of lagging.values()) {
    const key = `${range.topic}:${range.partition}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), range]);
  }
  while (byPartition.size > 0) {
    const round = [...byPartition.values()].map((ranges) => ranges.shift() as RecordRange);
    for (const [key, ranges] of byPartition) if (ranges.length === 0) byPartition.delete(key);
    for (const record of await readRecords(client, round, { idleMs: 500 })) {
      timestamps.set(`${record.topic}:${record.partition}:${record.offset}`, Number(record.timestamp));
    }
  }

  const now = (options.now ?? Date.now)();
  return descriptions.map((d) => {
    const partitions = d.offsets.map((o) => {
      const at = o.lag > 0 ? timestamps.get(`${o.topic}:${o.partition}:${next(o)}`) : undefined;
      return { ...o, ageSeconds: at === undefined ? 0 : Math.max(0, now - at) / 1_000 };
    });
    return {
      groupId: d.groupId,
      state: d.state,
      members: d.members.length,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
      oldestAgeSeconds: Math.max(0, ...partitions.map((p) => p.ageSeconds)),
      partitions,
    };
  });
}
