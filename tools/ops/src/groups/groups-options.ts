/**
 * The arguments of `npm run ops -- groups …`, parsed into what to do. Pure: nothing here talks to Kafka, so
 * every usage mistake is reported (exit 2) before a connection is opened.
 */
import { parseArgs } from 'node:util';
import type { TopicPartitionOffset, TopicPartitions } from '@orderstream/messaging';

export const DEFAULT_BROKERS = '127.0.0.1:9092';

export const GROUPS_USAGE = `usage: npm run ops -- groups <command> [options]

commands:
  list                          every consumer group the cluster knows, with its protocol type
  describe <group>              per partition: committed offset, end offset, lag in records and in seconds
                                (the age of the next unconsumed record; where the group committed nothing,
                                the age of the partition's first retained record, marked *)
  reset <group> --to <where>    moves the group's committed offsets; refused while the group has members
      --to earliest|latest      the first retained record / the log end
      --to timestamp --timestamp <ISO 8601 or epoch ms>
                                the first record at or after that time (the log end where there is none)
      --to offset --offset N    offset N on every selected partition
      --to offset --offset <topic>:<partition>=N   (repeatable) explicit offsets, no --topic needed
      --topic <topic>[:<p>,<p>] (repeatable) the topics (optionally only some partitions) to reset
      --all-topics              every topic the group has committed offsets for
      --dry-run                 print the plan (current -> new offset per partition), change nothing

options:
  --json                        machine-readable output on stdout
  -h, --help                    this text

Kafka: KAFKA_BROKERS (comma-separated host:port list), default ${DEFAULT_BROKERS}.
Exit codes: 0 done, 1 failed (e.g. the group has active members), 2 usage error.`;

/** Which topics a reset touches: named ones, or every topic the group has committed offsets for. */
export type TopicSelection = { allTopics: true } | { allTopics: false; topics: TopicPartitions[] };

export type ResetTarget =
  | { to: 'earliest' | 'latest'; selection: TopicSelection }
  | { to: 'timestamp'; timestamp: number; selection: TopicSelection }
  /** The same offset on every selected partition. */
  | { to: 'offset'; offset: string; selection: TopicSelection }
  /** Explicit `topic:partition=offset` pairs. */
  | { to: 'offsets'; offsets: TopicPartitionOffset[] };

export type GroupsCommand =
  | { command: 'help' }
  | { command: 'list'; json: boolean }
  | { command: 'describe'; groupId: string; json: boolean }
  | { command: 'reset'; groupId: string; json: boolean; dryRun: boolean; target: ResetTarget };

/** A mistake in the command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TOPIC = /^(?<topic>[A-Za-z0-9._-]+)(?::(?<partitions>\d+(?:,\d+)*))?$/;
const EXPLICIT_OFFSET = /^(?<topic>[A-Za-z0-9._-]+):(?<partition>\d+)=(?<offset>\d+)$/;

function parseTopic(value: string): TopicPartitions {
  const match = TOPIC.exec(value);
  if (!match?.groups) throw new UsageError(`--topic "${value}": expected <topic> or <topic>:<p>,<p>,…`);
  const { topic = '', partitions } = match.groups;
  return partitions === undefined ? { topic } : { topic, partitions: partitions.split(',').map(Number) };
}

/** ISO 8601 (with a date) or epoch milliseconds; a bare number is never read as a year. */
export function parseTimestamp(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(
      `--timestamp "${value}": expected ISO 8601 (2026-01-31T12:00:00Z) or epoch milliseconds`,
    );
  }
  return ms;
}

function parseReset(values: {
  to?: string;
  topic?: string[];
  'all-topics'?: boolean;
  timestamp?: string;
  offset?: string[];
}): ResetTarget {
  const topics = (values.topic ?? []).map(parseTopic);
  const allTopics = values['all-topics'] ?? false;
  const offsets = values.offset ?? [];
  if (topics.length > 0 && allTopics) throw new UsageError('--topic and --all-topics exclude each other');
  const selection = (): TopicSelection => {
    if (allTopics) return { allTopics: true };
    if (topics.length === 0) throw new UsageError(`--to ${values.to} needs --topic <topic> or --all-topics`);
    return { allTopics: false, topics };
  };
  if (values.timestamp !== undefined && values.to !== 'timestamp') {
    throw new UsageError('--timestamp goes with --to timestamp');
  }
  if (offsets.length > 0 && values.to !== 'offset') throw new UsageError('--offset goes with --to offset');
  switch (values.to) {
    case 'earliest':
    case 'latest':
      return { to: values.to, selection: selection() };
    case 'timestamp':
      if (values.timestamp === undefined) throw new UsageError('--to timestamp needs --timestamp');
      return { to: 'timestamp', timestamp: parseTimestamp(values.timestamp), selection: selection() };
    case 'offset': {
      const [first] = offsets;
      if (first === undefined) throw new UsageError('--to offset needs --offset N or --offset <topic>:<p>=N');
      if (offsets.length === 1 && /^\d+$/.test(first))
        return { to: 'offset', offset: first, selection: selection() };
      if (offsets.some((value) => /^\d+$/.test(value))) {
        throw new UsageError('--offset N stands alone: give it once, or give <topic>:<p>=N pairs');
      }
      if (topics.length > 0 || allTopics) {
        throw new UsageError(
          '--offset <topic>:<p>=N names its partitions: leave out --topic and --all-topics',
        );
      }
      return {
        to: 'offsets',
        offsets: offsets.map((value) => {
          const match = EXPLICIT_OFFSET.exec(value);
          if (!match?.groups)
            throw new UsageError(`--offset "${value}": expected N, or <topic>:<partition>=N`);
          const { topic = '', partition = '', offset = '' } = match.groups;
          return { topic, partition: Number(partition), offset };
        }),
      };
    }
    case undefined:
      throw new UsageError('reset needs --to earliest|latest|timestamp|offset');
    default:
      throw new UsageError(`--to "${values.to}": expected earliest, latest, timestamp or offset`);
  }
}

export function parseGroupsArgs(argv: readonly string[]): GroupsCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        to: { type: 'string' },
        topic: { type: 'string', multiple: true },
        'all-topics': { type: 'boolean' },
        timestamp: { type: 'string' },
        offset: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return { command: 'help' };
  const [command, groupId, ...extra] = positionals;
  const json = values.json ?? false;
  const resetOnly = (['dry-run', 'to', 'topic', 'all-topics', 'timestamp', 'offset'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (command !== 'reset' && resetOnly.length > 0) {
    throw new UsageError(`${resetOnly.map((name) => `--${name}`).join(', ')}: only for reset`);
  }
  switch (command) {
    case 'list':
      if (groupId !== undefined) throw new UsageError(`list takes no argument (got "${groupId}")`);
      return { command: 'list', json };
    case 'describe':
    case 'reset': {
      if (groupId === undefined) throw new UsageError(`${command} needs a group id`);
      if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
      if (command === 'describe') return { command, groupId, json };
      return { command, groupId, json, dryRun: values['dry-run'] ?? false, target: parseReset(values) };
    }
    case undefined:
      throw new UsageError('a command is needed: list, describe or reset');
    default:
      throw new UsageError(`unknown command "${command}": expected list, describe or reset`);
  }
}
