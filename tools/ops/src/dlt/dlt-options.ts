/**
 * The arguments of `npm run ops -- dlt …`, parsed into what to do. Pure: nothing here talks to Kafka or the
 * database, so every usage mistake is reported (exit 2) before a connection is opened.
 *
 * A redrive and a purge name their group and their selection explicitly: there is no default that would
 * redrive or delete a whole dead-letter topic because an option was forgotten.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_REDRIVES,
  groupOfDeadLetterTopic,
  parseDeadLetterId,
  type DeadLetterFilter,
} from '@orderstream/messaging';
import { UsageError, parseTimestamp } from '../groups/groups-options';

export const DEFAULT_LIST_LIMIT = 100;
export const DEFAULT_JOBS_LIMIT = 20;
export const DEFAULT_AUDIT_LIMIT = 20;

export const DLT_USAGE = `usage: npm run ops -- dlt <command> [options]

Every consumer group has its own dead-letter topic, <group>.dlt. A message there is named by its id,
<group>.dlt:<partition>:<offset>. Filters (--error-code, --event-type, --reason, --event-id, --id) combine:
a message must match every one given.

commands:
  list                          failed messages of every group's dead-letter topic: a summary per group
                                (records, pending, counts by error code) and one row per message
      --group <g>               (repeatable) only these groups
      --error-code <C> --event-type <T> --reason <R> --event-id <ce_id>… --id <id>…   filters
      --all                     also the messages a redrive already sent on or quarantined
      --limit N                 at most N rows (default ${DEFAULT_LIST_LIMIT}; the summary counts them all)
  show <id>                     one message: its failure, every header, and its payload decoded through
                                the schema registry (audited: it shows message contents)
  redrive --group <g> <selection>
                                sends the selected messages to <g>.retry.1, the failing group's own retry
                                path (no other group sees them), with their ce_id unchanged and
                                x-redrive-count + 1; a message redriven --max-redrives times already goes
                                to <g>.quarantine instead. Runs as a job: a crashed job resumes where its
                                last Kafka transaction ended
      selection (required, one or more):
      --id <id>                 (repeatable) these messages
      --error-code <C>          messages that failed with this code
      --event-type <T>          messages of this ce_type
      --event-id <ce_id>        (repeatable) messages of these events
      --reason <R>              non-retriable or retries-exhausted
      --all                     every message of the group's dead-letter topic (no filter)
      --include-redriven        also messages an earlier job sent on already (left out by default)
      --max-redrives N          the quarantine cap (default ${DEFAULT_MAX_REDRIVES})
      --dry-run                 say what would be redriven or quarantined; write nothing
  redrive --resume <jobId>      continues a job that stopped (crash, failure) after its last commit
  jobs [<jobId>]                redrive jobs, newest first (--limit N, default ${DEFAULT_JOBS_LIMIT}), or one job
  purge --group <g> <what>      deletes the oldest records of <g>.dlt (Kafka deletes a prefix of each
                                partition, not single records)
      --handled                 up to the first record per partition nobody redrove or quarantined yet
      --before <time>           records dead-lettered before this time (ISO 8601 or epoch ms)
      --all                     everything
      --dry-run                 say how many would go; delete nothing
  audit                         the audit trail, newest first (--limit N, default ${DEFAULT_AUDIT_LIMIT}): who did what
                                to which group, when, dry run or not, how many messages, and the outcome

options:
  --actor <name>                who the audit trail names for show, redrive and purge
  --json                        machine-readable output on stdout
  -h, --help                    this text

Every show, redrive (dry runs too) and purge is recorded in the ops database's audit table and logged as a
JSON line on stderr (LOG_LEVEL: debug, info (default), warn, error or silent).
Exit codes: 0 done, 1 failed (e.g. no such message, group or job), 2 usage error.`;

/** What `purge` deletes up to; `handled` is resolved against the desk when it runs. */
export type PurgeTarget = { kind: 'all' } | { kind: 'before'; timestamp: number } | { kind: 'handled' };

export type DltCommand =
  | { command: 'help' }
  | {
      command: 'list';
      groups?: string[];
      filter: DeadLetterFilter;
      includeHandled: boolean;
      limit: number;
      json: boolean;
    }
  | { command: 'show'; id: string; actor?: string; json: boolean }
  | {
      command: 'redrive';
      groupId: string;
      filter: DeadLetterFilter;
      includeRedriven: boolean;
      maxRedrives?: number;
      dryRun: boolean;
      actor?: string;
      json: boolean;
    }
  | { command: 'resume'; jobId: string; actor?: string; json: boolean }
  | { command: 'jobs'; jobId?: string; limit: number; json: boolean }
  | { command: 'purge'; groupId: string; upTo: PurgeTarget; dryRun: boolean; actor?: string; json: boolean }
  | { command: 'audit'; limit: number; json: boolean };

const COMMANDS = ['list', 'show', 'redrive', 'jobs', 'purge', 'audit'] as const;
type CommandName = (typeof COMMANDS)[number];

const FILTERS = ['id', 'error-code', 'event-type', 'reason', 'event-id'] as const;

/** The options each command takes (besides --json and --help); any other is a usage error. */
const ALLOWED: Record<CommandName, readonly string[]> = {
  list: ['group', ...FILTERS, 'all', 'limit'],
  show: ['actor'],
  redrive: ['group', ...FILTERS, 'all', 'include-redriven', 'max-redrives', 'dry-run', 'resume', 'actor'],
  jobs: ['limit'],
  purge: ['group', 'all', 'before', 'handled', 'dry-run', 'actor'],
  audit: ['limit'],
};

function positiveInteger(name: string, value: string | undefined, fallback: number): number;
function positiveInteger(name: string, value: string | undefined): number | undefined;
function positiveInteger(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name} "${value}": expected an integer >= 1`);
  return n;
}

/** Checks a message id's shape, and that it lies in the given group's dead-letter topic. */
function messageId(id: string, groupId?: string): string {
  const at = parseDeadLetterId(id);
  const group = at === undefined ? undefined : groupOfDeadLetterTopic(at.topic);
  if (group === undefined) {
    throw new UsageError(
      `"${id}" is not a dead-letter message id: expected <group>.dlt:<partition>:<offset>`,
    );
  }
  if (groupId !== undefined && group !== groupId) {
    throw new UsageError(`--id ${id} is not in ${groupId}.dlt: a redrive takes one group's messages`);
  }
  return id;
}

interface Values {
  group?: string[];
  id?: string[];
  'error-code'?: string;
  'event-type'?: string;
  reason?: string;
  'event-id'?: string[];
  all?: boolean;
  limit?: string;
  'include-redriven'?: boolean;
  'max-redrives'?: string;
  'dry-run'?: boolean;
  resume?: string;
  before?: string;
  handled?: boolean;
  actor?: string;
}

function filterOf(values: Values, groupId?: string): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (values.id !== undefined) filter.ids = values.id.map((id) => messageId(id, groupId));
  if (values['error-code'] !== undefined) filter.errorCode = values['error-code'];
  if (values['event-type'] !== undefined) filter.eventType = values['event-type'];
  if (values.reason !== undefined) filter.reason = values.reason;
  if (values['event-id'] !== undefined) filter.eventIds = values['event-id'];
  return filter;
}

function oneGroup(command: string, values: Values): string {
  const groups = values.group ?? [];
  const [groupId] = groups;
  if (groupId === undefined) throw new UsageError(`${command} needs --group <group>`);
  if (groups.length > 1) throw new UsageError(`${command} takes one --group (got ${groups.join(', ')})`);
  return groupId;
}

function parseRedrive(values: Values, json: boolean): DltCommand {
  const actor = values.actor;
  if (values.resume !== undefined) {
    const others = ALLOWED.redrive.filter(
      (name) => name !== 'resume' && name !== 'actor' && values[name as keyof Values] !== undefined,
    );
    if (others.length > 0) {
      throw new UsageError(
        `--resume continues a job as it was created: leave out ${others.map((n) => `--${n}`).join(', ')}`,
      );
    }
    return { command: 'resume', jobId: values.resume, actor, json };
  }
  const groupId = oneGroup('redrive', values);
  const filter = filterOf(values, groupId);
  const all = values.all ?? false;
  if (all && Object.keys(filter).length > 0) {
    throw new UsageError(
      '--all selects every message of the group: leave out the filters, or leave out --all',
    );
  }
  if (!all && Object.keys(filter).length === 0) {
    throw new UsageError(
      'redrive needs a selection: --id, --error-code, --event-type, --event-id or --reason (or --all for every message of the group)',
    );
  }
  return {
    command: 'redrive',
    groupId,
    filter,
    includeRedriven: values['include-redriven'] ?? false,
    maxRedrives: positiveInteger('max-redrives', values['max-redrives']),
    dryRun: values['dry-run'] ?? false,
    actor,
    json,
  };
}

function parsePurge(values: Values, json: boolean): DltCommand {
  const groupId = oneGroup('purge', values);
  const chosen = (['all', 'before', 'handled'] as const).filter((name) => values[name] !== undefined);
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? 'purge needs what to delete: --handled, --before <time> or --all'
        : `${chosen.map((n) => `--${n}`).join(', ')} exclude each other`,
    );
  }
  let upTo: PurgeTarget;
  if (values.before !== undefined) {
    try {
      upTo = { kind: 'before', timestamp: parseTimestamp(values.before) };
    } catch {
      throw new UsageError(
        `--before "${values.before}": expected ISO 8601 (2026-01-31T12:00:00Z) or epoch milliseconds`,
      );
    }
  } else upTo = { kind: values.all ? 'all' : 'handled' };
  return { command: 'purge', groupId, upTo, dryRun: values['dry-run'] ?? false, actor: values.actor, json };
}

export function parseDltArgs(argv: readonly string[]): DltCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        group: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        'error-code': { type: 'string' },
        'event-type': { type: 'string' },
        reason: { type: 'string' },
        'event-id': { type: 'string', multiple: true },
        all: { type: 'boolean' },
        limit: { type: 'string' },
        'include-redriven': { type: 'boolean' },
        'max-redrives': { type: 'string' },
        'dry-run': { type: 'boolean' },
        resume: { type: 'string' },
        before: { type: 'string' },
        handled: { type: 'boolean' },
        actor: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return { command: 'help' };
  const [command, argument, ...extra] = positionals;
  if (command === undefined) throw new UsageError(`a command is needed: ${COMMANDS.join(', ')}`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}": expected ${COMMANDS.join(', ')}`);
  }
  const name = command as CommandName;
  const misplaced = Object.keys(values).filter(
    (option) => option !== 'json' && option !== 'help' && !ALLOWED[name].includes(option),
  );
  if (misplaced.length > 0) {
    throw new UsageError(`${misplaced.map((o) => `--${o}`).join(', ')}: not an option of ${name}`);
  }
  const takesArgument = name === 'show' || name === 'jobs';
  if (extra.length > 0 || (!takesArgument && argument !== undefined)) {
    throw new UsageError(`unexpected argument(s): ${[argument, ...extra].filter(Boolean).join(' ')}`);
  }
  if (values.actor !== undefined && values.actor.trim() === '') throw new UsageError('--actor needs a name');
  const json = values.json ?? false;
  switch (name) {
    case 'list': {
      const groups = values.group;
      return {
        command: 'list',
        ...(groups !== undefined ? { groups } : {}),
        filter: filterOf(values),
        includeHandled: values.all ?? false,
        limit: positiveInteger('limit', values.limit, DEFAULT_LIST_LIMIT),
        json,
      };
    }
    case 'show':
      if (argument === undefined)
        throw new UsageError('show needs a message id (<group>.dlt:<partition>:<offset>)');
      return { command: 'show', id: messageId(argument), actor: values.actor, json };
    case 'redrive':
      return parseRedrive(values, json);
    case 'jobs':
      return {
        command: 'jobs',
        ...(argument !== undefined ? { jobId: argument } : {}),
        limit: positiveInteger('limit', values.limit, DEFAULT_JOBS_LIMIT),
        json,
      };
    case 'purge':
      return parsePurge(values, json);
    case 'audit':
      return { command: 'audit', limit: positiveInteger('limit', values.limit, DEFAULT_AUDIT_LIMIT), json };
  }
}
