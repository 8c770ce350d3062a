/**
 * What `npm run ops -- dlt …` prints: the desk's answers as text tables for a person (`--json` prints the
 * answers themselves). Pure, so the layout is unit-tested without Kafka.
 */
import type { PurgeReport } from '@orderstream/messaging';
import type {
  AuditRecord,
  DeskListing,
  DeskRedriveReport,
  ListedDeadLetter,
  RedriveJob,
  ShownDeadLetter,
} from '@orderstream/operations';
import { formatTable } from '../groups/table';

/** JSON for `--json` and decoded payloads: Avro longs may decode to bigint, which JSON has no form for. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

const iso = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? '-' : new Date(ms).toISOString();

const dash = (value: string | number | undefined | null): string =>
  value === undefined || value === null || value === '' ? '-' : String(value);

function original(m: ListedDeadLetter): string {
  const { topic, partition, offset } = m.original;
  return topic === undefined ? '-' : `${topic}/${dash(partition)}/${dash(offset)}`;
}

export function formatListing(
  listing: DeskListing,
  options: { includeHandled: boolean; limit: number },
): string {
  if (listing.groups.length === 0) return 'no dead-letter topics (no group has failure topics yet)\n';
  const summary = formatTable(
    ['GROUP', 'TOPIC', 'RECORDS', 'PENDING', 'BY ERROR CODE'],
    listing.groups.map((g) => [
      g.groupId,
      g.topic,
      String(g.total),
      String(g.pending),
      g.byErrorCode.map((e) => `${e.errorCode} ${e.count}`).join(', ') || '-',
    ]),
  );
  const scope = options.includeHandled
    ? 'matching messages'
    : 'matching messages not redriven or quarantined yet';
  if (listing.messages.length === 0) return `${summary}\nno ${scope}\n`;
  const rows = formatTable(
    [
      'ID',
      'EVENT TYPE',
      'CE_ID',
      'ERROR CODE',
      'REASON',
      'ATTEMPTS',
      'ORIGINAL (TOPIC/PARTITION/OFFSET)',
      'FIRST FAILURE',
      'LAST FAILURE',
      'REDRIVES',
      'STATUS',
    ],
    listing.messages.map((m) => [
      m.id,
      dash(m.eventType),
      dash(m.eventId),
      dash(m.errorCode),
      dash(m.reason),
      dash(m.attempts),
      original(m),
      iso(m.firstFailureAt),
      iso(m.lastFailureAt),
      String(m.redriveCount),
      m.status,
    ]),
  );
  const more =
    listing.messages.length >= options.limit
      ? `\nthe first ${options.limit} ${scope}; --limit N for more\n`
      : '';
  const hidden = options.includeHandled
    ? ''
    : '\n(redriven and quarantined messages left out: --all shows them)\n';
  return `${summary}\n${rows}${more}${hidden}`;
}

export function formatShown(shown: ShownDeadLetter): string {
  const m = shown.message;
  const error = [m.errorCode, m.errorClass && `(${m.errorClass})`].filter(Boolean).join(' ');
  const lines: [string, string][] = [
    ['id', m.id],
    ['group', m.groupId],
    ['status', m.handledBy ? `${m.status} by job ${m.handledBy.jobId} at ${m.handledBy.at}` : m.status],
    ['event type', dash(m.eventType)],
    ['ce_id', dash(m.eventId)],
    ['key', dash(m.key)],
    ['reason', dash(m.reason)],
    ['error', dash(error)],
    ['error message', dash(m.errorMessage)],
    ['attempts', dash(m.attempts)],
    ['original', `${original(m)}${m.original.timestamp ? ` at ${iso(m.original.timestamp)}` : ''}`],
    ['first failure', iso(m.firstFailureAt)],
    ['last failure', iso(m.lastFailureAt)],
    ['dead-lettered', iso(m.deadLetteredAt)],
    ['redrives', String(m.redriveCount)],
    ['value', `${m.valueBytes} bytes`],
  ];
  const width = Math.max(...lines.map(([name]) => name.length));
  const head = lines.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
  const headers = Object.entries(shown.headers)
    .map(([name, value]) => `  ${name}: ${value}`)
    .join('\n');
  const payload =
    'decoded' in shown.payload
      ? `payload (decoded through the schema registry):\n${toJson(shown.payload.decoded)}`
      : `payload not decoded: ${shown.payload.error}\nraw value (base64): ${shown.payload.base64 ?? '(null)'}\n`;
  return `${head}\n\nheaders:\n${headers}\n\n${payload}`;
}

export function formatRedrive(report: DeskRedriveReport, resumed = false): string {
  const { groupId } = report;
  const counts = `redriven ${report.redriven}, quarantined ${report.quarantined}, skipped ${report.skipped} (of ${report.scanned} read)`;
  let head: string;
  if (report.dryRun) {
    head = `dry run of a redrive of group ${groupId}: would redrive ${report.redriven} to ${groupId}.retry.1, quarantine ${report.quarantined} to ${groupId}.quarantine, skip ${report.skipped} (of ${report.scanned} read); nothing was written`;
  } else if (report.job && resumed && report.scanned === 0 && report.job.status === 'completed') {
    head = `job ${report.jobId} of group ${groupId} had completed already: nothing to resume (${report.job.redriven} redriven, ${report.job.quarantined} quarantined in all)`;
  } else {
    head = `${resumed ? 'resumed ' : ''}redrive job ${report.jobId} of group ${groupId}: ${counts}; job ${report.job?.status ?? 'done'}`;
  }
  if (report.outcomes.length === 0) return `${head}\n`;
  const action = (a: string): string => (report.dryRun ? `would be ${a}` : a);
  return `${head}\n\n${formatTable(
    ['ID', 'EVENT TYPE', 'CE_ID', 'ERROR CODE', 'REDRIVES BEFORE', 'ACTION'],
    report.outcomes.map((o) => [
      o.id,
      dash(o.eventType),
      dash(o.eventId),
      dash(o.errorCode),
      String(o.redriveCount),
      action(o.action),
    ]),
  )}`;
}

function filterText(job: RedriveJob): string {
  const f = job.filter;
  const parts = [
    ...(f.ids ?? []).map((id) => `id=${id}`),
    ...(f.errorCode !== undefined ? [`error-code=${f.errorCode}`] : []),
    ...(f.eventType !== undefined ? [`event-type=${f.eventType}`] : []),
    ...(f.reason !== undefined ? [`reason=${f.reason}`] : []),
    ...(f.eventIds ?? []).map((id) => `event-id=${id}`),
  ];
  return parts.length === 0 ? 'all' : parts.join(' ');
}

export function formatJobs(jobs: readonly RedriveJob[]): string {
  if (jobs.length === 0) return 'no redrive jobs\n';
  const table = formatTable(
    [
      'JOB',
      'GROUP',
      'ACTOR',
      'STATUS',
      'REDRIVEN',
      'QUARANTINED',
      'SKIPPED',
      'SELECTION',
      'CREATED',
      'FINISHED',
      'ERROR',
    ],
    jobs.map((j) => [
      j.jobId,
      j.groupId,
      j.actor,
      j.status,
      String(j.redriven),
      String(j.quarantined),
      String(j.skipped),
      filterText(j) + (j.includeRedriven ? ' (incl. redriven)' : ''),
      j.createdAt,
      dash(j.finishedAt),
      dash(j.error),
    ]),
  );
  const unfinished = jobs.filter((j) => j.status !== 'completed');
  const hint =
    unfinished.length > 0
      ? `\n${unfinished.length} job(s) not completed: if no process runs them any more, continue with\n  npm run ops -- dlt redrive --resume <JOB>\n`
      : '';
  return `${table}${hint}`;
}

export function formatPurge(report: PurgeReport): string {
  const head = report.dryRun
    ? `dry run: would delete ${report.deleted} record(s) from ${report.topic}; nothing was deleted`
    : `deleted ${report.deleted} record(s) from ${report.topic}`;
  return `${head}\n\n${formatTable(
    ['PARTITION', 'START', 'NEW START', 'DELETED'],
    report.partitions.map((p) => [String(p.partition), p.start, p.newStart, String(p.deleted)]),
  )}`;
}

export function formatAudit(entries: readonly AuditRecord[]): string {
  if (entries.length === 0) return 'no audit entries\n';
  return formatTable(
    ['AT', 'ACTOR', 'VIA', 'ACTION', 'TARGET', 'DRY RUN', 'AFFECTED', 'OUTCOME'],
    entries.map((e) => [
      e.at,
      e.actor.name,
      e.actor.via,
      e.action,
      e.target,
      e.dryRun ? 'yes' : 'no',
      String(e.affected),
      e.outcome,
    ]),
  );
}
