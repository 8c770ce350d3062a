/**
 * `npm run ops -- groups list|describe|reset …`: consumer-group offsets for an operator. What Kafka's own
 * `kafka-consumer-groups.sh` shows (the groups int test holds `describe` to the same numbers), plus the lag
 * in seconds, and a reset that refuses a group with members instead of racing their commits.
 *
 * The Kafka side is the messaging library's `AdminPort` (`describeGroup`, `resetGroupOffsets`); this file
 * turns arguments into those calls and their results into a table or JSON.
 */
import {
  ConsumerGroupActiveError,
  ApplicationError,
  ValidationError,
  type AdminPort,
  type GroupOffsetReset,
  type GroupOffsetResetPlan,
  type KafkaClient,
  type TopicPartitions,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { describeWithLagSeconds, type DescribedGroup } from '@orderstream/operations';
import {
  DEFAULT_BROKERS,
  GROUPS_USAGE,
  UsageError,
  parseGroupsArgs,
  type ResetTarget,
  type TopicSelection,
} from './groups-options';
import { formatTable } from './table';

/** Where the command writes, and what it reads from its environment; tests pass their own. */
export interface GroupsIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Builds the client from the broker list (tests may wrap it). */
  client?(brokers: string[]): KafkaClient;
}

const processIo: GroupsIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function runGroupsCommand(argv: string[], io: GroupsIo = processIo): Promise<number> {
  let command;
  try {
    command = parseGroupsArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`groups: ${error.message}\n\n${GROUPS_USAGE}\n`);
    return 2;
  }
  if (command.command === 'help') {
    io.stdout(`${GROUPS_USAGE}\n`);
    return 0;
  }
  const brokers = (io.env['KAFKA_BROKERS'] || DEFAULT_BROKERS).split(',').map((b) => b.trim());
  const client = io.client?.(brokers) ?? createKafkaJsClient({ brokers, clientId: 'orderstream-ops-groups' });
  const admin = client.admin();
  await admin.connect();
  try {
    switch (command.command) {
      case 'list':
        return await list(admin, io, command.json);
      case 'describe':
        return await describe(client, admin, io, command.groupId, command.json);
      case 'reset':
        return await reset(admin, io, command);
    }
  } catch (error) {
    if (error instanceof ConsumerGroupActiveError) {
      io.stderr(`${await activeGroupMessage(admin, error)}\n`);
      return 1;
    }
    // Validation and not-found errors say what is wrong with the request; anything else is a real failure.
    if (error instanceof ApplicationError) {
      io.stderr(`groups: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await admin.disconnect();
  }
}

async function list(admin: AdminPort, io: GroupsIo, json: boolean): Promise<number> {
  const groups = await admin.listGroups();
  if (json) {
    io.stdout(`${JSON.stringify({ groups }, null, 2)}\n`);
  } else {
    io.stdout(
      formatTable(
        ['GROUP', 'PROTOCOL'],
        groups.map((g) => [g.groupId, g.protocolType || '(offsets only)']),
      ),
    );
  }
  return 0;
}

async function describe(
  client: KafkaClient,
  admin: AdminPort,
  io: GroupsIo,
  groupId: string,
  json: boolean,
): Promise<number> {
  const group = await describeWithLagSeconds(client, admin, groupId);
  if (group.state === 'Dead') {
    io.stderr(`groups: consumer group "${groupId}" does not exist\n`);
    return 1;
  }
  if (json) {
    io.stdout(`${JSON.stringify(group, null, 2)}\n`);
    return 0;
  }
  const lines = [`group ${groupId}: ${group.state}, ${group.members.length} member(s)`];
  for (const m of group.members)
    lines.push(`  member ${m.memberId} (client ${m.clientId}, host ${m.clientHost})`);
  if (group.partitions.length === 0) lines.push('no committed offsets and no assigned partitions');
  io.stdout(`${lines.join('\n')}\n`);
  if (group.partitions.length === 0) return 0;
  io.stdout('\n');
  const seconds = (p: DescribedGroup['partitions'][number]): string =>
    p.lagSeconds === null ? '?' : `${p.lagSeconds.toFixed(1)}${p.lagSecondsFrom === 'log-start' ? '*' : ''}`;
  io.stdout(
    formatTable(
      ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'LAG-SECONDS', 'MEMBER'],
      group.partitions.map((p) => [
        p.topic,
        String(p.partition),
        p.committedOffset ?? '-',
        p.endOffset,
        String(p.lag),
        seconds(p),
        p.memberId ?? '-',
      ]),
    ),
  );
  const notes: string[] = [];
  if (group.partitions.some((p) => p.committedOffset === null)) {
    notes.push('- no committed offset: the lag counts the whole log; * ages the first retained record');
  }
  if (group.lagSecondsError !== null) {
    notes.push(`? the next records could not be read: ${group.lagSecondsError}`);
  } else if (group.partitions.some((p) => p.lagSeconds === null)) {
    notes.push('? the next record was not found among the first offsets after the committed one');
  }
  if (notes.length > 0) io.stdout(`\n${notes.join('\n')}\n`);
  return 0;
}

/** Names the members in the refusal, so the operator knows which consumers to stop. */
async function activeGroupMessage(admin: AdminPort, error: ConsumerGroupActiveError): Promise<string> {
  const members = await admin
    .describeGroup(error.groupId)
    .then((g) => g.members)
    .catch(() => []);
  const named = error.memberIds.map((id) => {
    const m = members.find((member) => member.memberId === id);
    return m ? `  ${id} (client ${m.clientId}, host ${m.clientHost})` : `  ${id}`;
  });
  return [
    `groups: refused: consumer group "${error.groupId}" has ${error.memberIds.length} active member(s) (state ${error.state}):`,
    ...named,
    'Stop its consumers first: their own commits would overwrite the reset. Nothing was changed.',
  ].join('\n');
}

/** The topics the selection names; `--all-topics` = every topic the group committed offsets for. */
async function selectedTopics(
  admin: AdminPort,
  groupId: string,
  selection: TopicSelection,
): Promise<TopicPartitions[]> {
  if (!selection.allTopics) return selection.topics;
  const { offsets } = await admin.describeGroup(groupId);
  const topics = [...new Set(offsets.filter((o) => BigInt(o.committedOffset) >= 0n).map((o) => o.topic))];
  if (topics.length === 0) {
    throw new ValidationError(
      `consumer group "${groupId}" has no committed offsets: name the topics with --topic`,
      {
        details: { groupId },
      },
    );
  }
  return topics.map((topic) => ({ topic }));
}

async function toGroupOffsetReset(
  admin: AdminPort,
  groupId: string,
  target: ResetTarget,
): Promise<GroupOffsetReset> {
  switch (target.to) {
    case 'earliest':
    case 'latest':
      return { to: target.to, topics: await selectedTopics(admin, groupId, target.selection) };
    case 'timestamp':
      return {
        to: 'timestamp',
        timestamp: target.timestamp,
        topics: await selectedTopics(admin, groupId, target.selection),
      };
    case 'offsets':
      return { to: 'offsets', offsets: target.offsets };
    case 'offset': {
      const topics = await selectedTopics(admin, groupId, target.selection);
      const whole = topics.filter((t) => t.partitions === undefined).map((t) => t.topic);
      const counts = whole.length > 0 ? await admin.fetchPartitionCounts(whole) : {};
      return {
        to: 'offsets',
        offsets: topics.flatMap(({ topic, partitions }) =>
          (partitions ?? Array.from({ length: counts[topic] ?? 0 }, (_, p) => p)).map((partition) => ({
            topic,
            partition,
            offset: target.offset,
          })),
        ),
      };
    }
  }
}

async function reset(
  admin: AdminPort,
  io: GroupsIo,
  command: { groupId: string; json: boolean; dryRun: boolean; target: ResetTarget },
): Promise<number> {
  const request = await toGroupOffsetReset(admin, command.groupId, command.target);
  const plan = await admin.resetGroupOffsets(command.groupId, request, { dryRun: command.dryRun });
  io.stdout(command.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
  return 0;
}

function formatPlan(plan: GroupOffsetResetPlan): string {
  const moved = plan.partitions.filter((p) => p.currentOffset !== p.newOffset).length;
  const head = plan.dryRun
    ? `dry run: group ${plan.groupId} would move ${moved} of ${plan.partitions.length} partition(s); nothing was committed`
    : `group ${plan.groupId}: committed ${plan.partitions.length} partition(s), ${moved} moved`;
  return `${head}\n\n${formatTable(
    ['TOPIC', 'PARTITION', 'CURRENT', 'NEW'],
    plan.partitions.map((p) => [
      p.topic,
      String(p.partition),
      BigInt(p.currentOffset) < 0n ? '-' : p.currentOffset,
      p.newOffset,
    ]),
  )}`;
}
