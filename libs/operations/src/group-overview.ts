/**
 * Each consumer group's standing for the console: state, members, lag in records and the age of its oldest
 * unconsumed record, counted like `npm run ops -- groups describe` (group-lag/).
 */
import type { ConsumerGroupDescription, KafkaClient } from '@orderstream/messaging';
import { describeWithLagSeconds, type DescribedPartition } from './group-lag/describe-with-lag-seconds';

export interface GroupStanding {
  groupId: string;
  state: ConsumerGroupDescription['state'];
  members: number;
  lag: number;
  /** The largest lag in seconds of its partitions; `null` when it could not be read. */
  oldestAgeSeconds: number | null;
  partitions: DescribedPartition[];
}

/** Groups the operator tooling itself creates (readers, redrive jobs): not part of the system's picture. */
export function isToolingGroup(groupId: string): boolean {
  return groupId.startsWith('orderstream-reader-') || /\.redrive\.[0-9a-f-]{36}$/.test(groupId);
}

/** The standing of the named groups, or of every consumer group on the cluster. */
export async function groupStandings(
  client: KafkaClient,
  options: { groups?: readonly string[] } = {},
): Promise<GroupStanding[]> {
  const admin = client.admin();
  await admin.connect();
  try {
    const groupIds =
      options.groups ??
      (await admin.listGroups())
        .filter((g) => g.protocolType === 'consumer' && !isToolingGroup(g.groupId))
        .map((g) => g.groupId);
    const standings: GroupStanding[] = [];
    for (const groupId of groupIds) {
      const group = await describeWithLagSeconds(client, admin, groupId);
      const ages = group.partitions.map((p) => p.lagSeconds);
      standings.push({
        groupId,
        state: group.state,
        members: group.members.length,
        lag: group.partitions.reduce((sum, p) => sum + p.lag, 0),
        oldestAgeSeconds: ages.includes(null) ? null : Math.max(0, ...(ages as number[])),
        partitions: group.partitions,
      });
    }
    return standings;
  } finally {
    await admin.disconnect();
  }
}
