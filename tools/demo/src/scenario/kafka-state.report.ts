/**
 * What the admin API says about the stack: end offsets of topics, dead-letter counts and consumer lag.
 * Lag is the broker's view (end offset minus the group's committed offset), the same number
 * `kafka-consumer-groups.sh --describe` prints, so it shows what a group has durably finished.
 */
import type { AdminPort, PartitionOffset } from '@orderstream/messaging';

export type EndOffsets = Map<string, PartitionOffset[]>;

export async function fetchEndOffsets(admin: AdminPort, topics: readonly string[]): Promise<EndOffsets> {
  const entries = await Promise.all(
    topics.map(async (topic) => [topic, await admin.fetchEndOffsets(topic)] as const),
  );
  return new Map(entries);
}

/** Records in a topic: the sum of its partitions' end offsets (nothing is deleted from these topics). */
export function totalOf(offsets: readonly PartitionOffset[] | undefined): number {
  return (offsets ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
}

/** The dead-letter topics of every consumer group (`<group>.dlt`, see the messaging library). */
export async function deadLetterTopics(admin: AdminPort): Promise<string[]> {
  return (await admin.listTopics()).filter((topic) => topic.endsWith('.dlt')).sort();
}

export interface GroupTopicLag {
  group: string;
  topic: string;
  /** Undefined when the group has committed nothing on the topic: it does not consume it. */
  lag: number | undefined;
}

/** Lag of each group on each topic, from committed and end offsets. */
export async function measureLag(
  admin: AdminPort,
  groups: readonly string[],
  topics: readonly string[],
): Promise<GroupTopicLag[]> {
  const ends = await fetchEndOffsets(admin, topics);
  const rows: GroupTopicLag[] = [];
  for (const group of groups) {
    for (const topic of topics) {
      const committed = await admin.fetchCommittedOffsets(group, topic);
      rows.push({ group, topic, lag: lagOf(committed, ends.get(topic) ?? []) });
    }
  }
  return rows;
}

/**
 * Σ (end − committed) over the partitions; a partition without a commit (-1) counts from 0, since the
 * demo's topics keep everything. Undefined when no partition has a commit at all.
 */
export function lagOf(
  committed: readonly PartitionOffset[],
  end: readonly PartitionOffset[],
): number | undefined {
  if (!committed.some((p) => Number(p.offset) >= 0)) return undefined;
  const committedBy = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  return end.reduce(
    (sum, p) => sum + Math.max(0, Number(p.offset) - Math.max(0, committedBy.get(p.partition) ?? 0)),
    0,
  );
}
