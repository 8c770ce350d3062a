/**
 * The dead-letter operations with their bookkeeping, shared by the ops CLI and the ops service's admin API:
 * the Kafka work is `@orderstream/messaging`'s (list, read, redrive jobs, purge); this desk adds the audit
 * trail, the redrive jobs' records, and which dead-letter records were dealt with already.
 *
 * A dead-letter topic is a log: a redriven record stays in it until a purge removes the prefix it sits in.
 * So the desk remembers each record a job redrove or quarantined (`ops_redriven`): a list marks those, and
 * a redrive by filter leaves them out unless asked to include them. That mark is written after the job's
 * Kafka transaction commits; a crash between the two leaves a redriven record unmarked, and a later redrive
 * of it is harmless (the group's inbox takes a `ce_id` once).
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_REDRIVES,
  forgetRedriveJob,
  listDeadLetters,
  NotFoundError,
  purgeDeadLetters,
  readDeadLetter,
  redriveDeadLetters,
  redriveEnd,
  silentLogger,
  ValidationError,
  type ConsumedRecord,
  type DeadLetterFilter,
  type DeadLetterGroupSummary,
  type DeadLetterMessage,
  type KafkaClient,
  type Logger,
  type PartitionOffset,
  type PurgeReport,
  type PurgeUpTo,
  type RedriveOutcome,
  type RedriveReport,
} from '@orderstream/messaging';
import type { DataSource } from 'typeorm';
import { AuditLog, type Actor } from './audit-log';

export type DeadLetterStatus = 'failed' | 'redriven' | 'quarantined';

export interface ListedDeadLetter extends DeadLetterMessage {
  /** `failed` until a redrive job sent it on (`redriven`) or set it aside (`quarantined`). */
  status: DeadLetterStatus;
  /** The job that dealt with it, and when. */
  handledBy?: { jobId: string; at: string };
}

export interface DeskListing {
  groups: (DeadLetterGroupSummary & { pending: number })[];
  messages: ListedDeadLetter[];
}

export interface ShownDeadLetter {
  message: ListedDeadLetter;
  /** Every header as text (binary values as base64). */
  headers: Record<string, string>;
  /** The payload decoded through the schema registry, or why it could not be. */
  payload: { decoded: unknown } | { error: string; base64: string | null };
}

export interface RedriveRequest {
  actor: Actor;
  groupId: string;
  filter?: DeadLetterFilter;
  dryRun?: boolean;
  /** Also redrive records an earlier job redrove already. Default false. */
  includeRedriven?: boolean;
  maxRedrives?: number;
}

export interface RedriveJob {
  jobId: string;
  groupId: string;
  actor: string;
  filter: DeadLetterFilter;
  until: PartitionOffset[];
  maxRedrives: number;
  includeRedriven: boolean;
  status: 'running' | 'completed' | 'failed';
  redriven: number;
  quarantined: number;
  skipped: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface DeskRedriveReport extends RedriveReport {
  /** The job's state after this run (absent for a dry run, which creates no job). */
  job?: RedriveJob;
}

export interface DeadLetterDeskOptions {
  client: KafkaClient;
  /** The ops database, migrated (`operationsDataSourceOptions`). */
  dataSource: DataSource;
  /** Decodes a record's payload through the schema registry, for `show`. */
  decode?: (record: ConsumedRecord) => Promise<unknown>;
  /** Default `DEFAULT_MAX_REDRIVES`. */
  maxRedrives?: number;
  logger?: Logger;
}

interface JobRow {
  job_id: string;
  group_id: string;
  actor: string;
  filter: DeadLetterFilter;
  until: PartitionOffset[];
  max_redrives: number;
  include_redriven: boolean;
  status: RedriveJob['status'];
  redriven: number;
  quarantined: number;
  skipped: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toJob = (row: JobRow): RedriveJob => ({
  jobId: row.job_id,
  groupId: row.group_id,
  actor: row.actor,
  filter: row.filter,
  until: row.until,
  maxRedrives: row.max_redrives,
  includeRedriven: row.include_redriven,
  status: row.status,
  redriven: row.redriven,
  quarantined: row.quarantined,
  skipped: row.skipped,
  error: row.error,
  createdAt: new Date(row.created_at).toISOString(),
  finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
});

/** Line breaks and tabs are text: the failure's stack trace header has them. */
const isTextChar = (char: string): boolean => {
  const code = char.charCodeAt(0);
  return code >= 0x20 ? code !== 0x7f : char === '\n' || char === '\r' || char === '\t';
};

/** A header as text when it is UTF-8 without control characters, base64 otherwise (binary). */
const headerText = (value: Buffer | undefined): string => {
  if (value === undefined) return '';
  const text = value.toString('utf8');
  return Buffer.from(text, 'utf8').equals(value) && [...text].every(isTextChar)
    ? text
    : value.toString('base64');
};

export class DeadLetterDesk {
  readonly audit: AuditLog;
  private readonly logger: Logger;

  constructor(private readonly options: DeadLetterDeskOptions) {
    this.logger = options.logger ?? silentLogger;
    this.audit = new AuditLog(options.dataSource, this.logger);
  }

  /** Failed messages of every group (or the named ones), each marked with what was done about it. */
  async list(
    request: {
      groups?: readonly string[];
      filter?: DeadLetterFilter;
      includeHandled?: boolean;
      limit?: number;
    } = {},
  ): Promise<DeskListing> {
    const handled = await this.handledMessages(request.groups);
    // Every matching message, so the counts are right whatever `limit` cuts from the list.
    const listing = await listDeadLetters(this.options.client, {
      groups: request.groups,
      filter: request.filter,
      exclude: request.includeHandled ? undefined : (m) => handled.has(m.id),
      limit: Number.MAX_SAFE_INTEGER,
    });
    const messages = listing.messages.map((m) => this.withStatus(m, handled));
    return {
      groups: listing.groups.map((g) => ({
        ...g,
        pending: g.byErrorCode.reduce((sum, e) => sum + e.count, 0) - this.countHandled(messages, g.topic),
      })),
      messages: messages.slice(0, request.limit ?? 1_000),
    };
  }

  /** One message with its headers and decoded payload. Audited: it shows message contents. */
  async show(id: string, actor: Actor): Promise<ShownDeadLetter> {
    const found = await readDeadLetter(this.options.client, id);
    if (found === undefined) {
      throw new NotFoundError(`No dead-letter message ${id} (purged, or never there)`, { details: { id } });
    }
    const handled = await this.handledMessages([found.message.groupId]);
    const headers = Object.fromEntries(
      Object.entries(found.record.headers).map(([name, value]) => [name, headerText(value)]),
    );
    let payload: ShownDeadLetter['payload'];
    try {
      if (this.options.decode === undefined) throw new Error('no decoder configured');
      payload = { decoded: await this.options.decode(found.record) };
    } catch (error) {
      payload = { error: (error as Error).message, base64: found.record.value?.toString('base64') ?? null };
    }
    await this.audit.record({
      actor,
      action: 'dlt.show',
      target: id,
      dryRun: false,
      request: { id },
      affected: 1,
      outcome: 'ok',
      detail: { groupId: found.message.groupId, eventId: found.message.eventId },
    });
    return { message: this.withStatus(found.message, handled), headers, payload };
  }

  /**
   * Redrives what matches to the failing group's retry path, as a new job; a dry run reports what a job
   * would do now and writes nothing but its audit entry.
   */
  async redrive(request: RedriveRequest): Promise<DeskRedriveReport> {
    const maxRedrives = request.maxRedrives ?? this.options.maxRedrives ?? DEFAULT_MAX_REDRIVES;
    if (!Number.isSafeInteger(maxRedrives) || maxRedrives < 1) {
      throw new ValidationError(`maxRedrives must be an integer >= 1, got ${maxRedrives}`, {
        details: { maxRedrives },
      });
    }
    const filter = request.filter ?? {};
    const until = await redriveEnd(this.options.client, request.groupId);
    if (request.dryRun) {
      return this.audited(request.actor, 'dlt.redrive', request.groupId, true, request, async () => {
        const handled = request.includeRedriven ? new Map() : await this.handledMessages([request.groupId]);
        return redriveDeadLetters(this.options.client, {
          groupId: request.groupId,
          jobId: `dry-run-${randomUUID()}`,
          until,
          filter,
          exclude: (m) => handled.has(m.id),
          maxRedrives,
          dryRun: true,
        });
      });
    }
    const jobId = randomUUID();
    await this.options.dataSource.query(
      `INSERT INTO ops_redrive_jobs (job_id, group_id, actor, filter, until, max_redrives, include_redriven, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')`,
      [
        jobId,
        request.groupId,
        request.actor.name,
        JSON.stringify(filter),
        JSON.stringify(until),
        maxRedrives,
        request.includeRedriven ?? false,
      ],
    );
    return this.audited(request.actor, 'dlt.redrive', request.groupId, false, { ...request, jobId }, () =>
      this.run(jobId),
    );
  }

  /** Continues a job that stopped (a crash, a failure) where its committed offsets say; a finished one is left. */
  async resume(jobId: string, actor: Actor): Promise<DeskRedriveReport> {
    const job = await this.job(jobId);
    return this.audited(actor, 'dlt.resume', job.groupId, false, { jobId }, () => this.run(jobId));
  }

  /** Jobs left `running` by a process that died: what the ops service resumes when it starts. */
  async unfinishedJobs(): Promise<RedriveJob[]> {
    const rows = (await this.options.dataSource.query(
      "SELECT * FROM ops_redrive_jobs WHERE status = 'running' ORDER BY created_at",
    )) as JobRow[];
    return rows.map(toJob);
  }

  async jobs(limit = 50): Promise<RedriveJob[]> {
    const rows = (await this.options.dataSource.query(
      'SELECT * FROM ops_redrive_jobs ORDER BY created_at DESC LIMIT $1',
      [limit],
    )) as JobRow[];
    return rows.map(toJob);
  }

  async job(jobId: string): Promise<RedriveJob> {
    const [row] = (await this.options.dataSource.query(
      'SELECT * FROM ops_redrive_jobs WHERE job_id::text = $1',
      [jobId],
    )) as JobRow[];
    if (row === undefined) throw new NotFoundError(`No redrive job ${jobId}`, { details: { jobId } });
    return toJob(row);
  }

  async purge(request: {
    actor: Actor;
    groupId: string;
    upTo: PurgeUpTo;
    dryRun?: boolean;
  }): Promise<PurgeReport> {
    return this.audited(request.actor, 'dlt.purge', request.groupId, request.dryRun ?? false, request, () =>
      purgeDeadLetters(this.options.client, request),
    );
  }

  /**
   * The offsets below which every record of the group's dead-letter topic was dealt with: what `purge
   * --handled` deletes, so only records nobody acted on stay.
   */
  async handledPrefix(groupId: string): Promise<PartitionOffset[]> {
    const listing = await listDeadLetters(this.options.client, {
      groups: [groupId],
      limit: Number.MAX_SAFE_INTEGER,
    });
    const handled = await this.handledMessages([groupId]);
    const byPartition = new Map<number, string>();
    for (const m of listing.messages) {
      if (byPartition.has(m.partition)) continue;
      if (!handled.has(m.id)) byPartition.set(m.partition, m.offset);
    }
    const end = await redriveEnd(this.options.client, groupId);
    return end.map(({ partition, offset }) => ({ partition, offset: byPartition.get(partition) ?? offset }));
  }

  private async run(jobId: string): Promise<DeskRedriveReport> {
    const job = await this.job(jobId);
    if (job.status === 'completed') {
      return {
        groupId: job.groupId,
        jobId,
        dryRun: false,
        scanned: 0,
        outcomes: [],
        redriven: 0,
        quarantined: 0,
        skipped: 0,
        job,
      };
    }
    const handled = job.includeRedriven ? new Map() : await this.handledMessages([job.groupId]);
    await this.options.dataSource.query(
      "UPDATE ops_redrive_jobs SET status = 'running', error = NULL WHERE job_id = $1",
      [jobId],
    );
    try {
      const report = await redriveDeadLetters(this.options.client, {
        groupId: job.groupId,
        jobId,
        until: job.until,
        filter: job.filter,
        exclude: (m) => handled.has(m.id),
        maxRedrives: job.maxRedrives,
        logger: this.logger,
        onCommitted: (outcomes) => this.markHandled(job, outcomes),
      });
      await this.options.dataSource.query(
        `UPDATE ops_redrive_jobs SET status = 'completed', skipped = skipped + $2, finished_at = now()
         WHERE job_id = $1`,
        [jobId, report.skipped],
      );
      await forgetRedriveJob(this.options.client, job.groupId, jobId);
      return { ...report, job: await this.job(jobId) };
    } catch (error) {
      await this.options.dataSource.query(
        "UPDATE ops_redrive_jobs SET status = 'failed', error = $2 WHERE job_id = $1",
        [jobId, (error as Error).message],
      );
      throw error;
    }
  }

  private async markHandled(job: RedriveJob, outcomes: readonly RedriveOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.options.dataSource.transaction(async (manager) => {
      for (const o of outcomes) {
        await manager.query(
          `INSERT INTO ops_redriven (message_id, group_id, event_id, job_id, action) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (message_id) DO UPDATE SET job_id = excluded.job_id, action = excluded.action, at = now()`,
          [o.id, job.groupId, o.eventId ?? null, job.jobId, o.action],
        );
      }
      await manager.query(
        'UPDATE ops_redrive_jobs SET redriven = redriven + $2, quarantined = quarantined + $3 WHERE job_id = $1',
        [
          job.jobId,
          outcomes.filter((o) => o.action === 'redriven').length,
          outcomes.filter((o) => o.action === 'quarantined').length,
        ],
      );
    });
  }

  private async handledMessages(
    groups?: readonly string[],
  ): Promise<Map<string, { action: 'redriven' | 'quarantined'; jobId: string; at: string }>> {
    const rows = (await this.options.dataSource.query(
      'SELECT message_id, action, job_id, at FROM ops_redriven WHERE $1::text[] IS NULL OR group_id = ANY($1)',
      [groups === undefined ? null : [...groups]],
    )) as { message_id: string; action: 'redriven' | 'quarantined'; job_id: string; at: Date }[];
    return new Map(
      rows.map((r) => [
        r.message_id,
        { action: r.action, jobId: r.job_id, at: new Date(r.at).toISOString() },
      ]),
    );
  }

  private withStatus(
    message: DeadLetterMessage,
    handled: Map<string, { action: 'redriven' | 'quarantined'; jobId: string; at: string }>,
  ): ListedDeadLetter {
    const mark = handled.get(message.id);
    return mark === undefined
      ? { ...message, status: 'failed' }
      : { ...message, status: mark.action, handledBy: { jobId: mark.jobId, at: mark.at } };
  }

  private countHandled(messages: readonly ListedDeadLetter[], topic: string): number {
    return messages.filter((m) => m.topic === topic && m.status !== 'failed').length;
  }

  /** Runs an action and records it, as done or failed, with how many messages it affected. */
  private async audited<R extends { redriven?: number; quarantined?: number; deleted?: number }>(
    actor: Actor,
    action: string,
    target: string,
    dryRun: boolean,
    request: unknown,
    work: () => Promise<R>,
  ): Promise<R> {
    const { actor: _who, ...what } = (request ?? {}) as Record<string, unknown>;
    try {
      const result = await work();
      await this.audit.record({
        actor,
        action,
        target,
        dryRun,
        request: what,
        affected: (result.redriven ?? 0) + (result.quarantined ?? 0) + (result.deleted ?? 0),
        outcome: 'ok',
        detail: summary(result),
      });
      return result;
    } catch (error) {
      await this.audit.record({
        actor,
        action,
        target,
        dryRun,
        request: what,
        affected: 0,
        outcome: 'failed',
        detail: { error: (error as Error).message },
      });
      throw error;
    }
  }
}

/** What the audit keeps of a result: counts and ids, not the per-message list. */
function summary(result: object): Record<string, unknown> {
  const { outcomes, partitions, job, ...rest } = result as Record<string, unknown>;
  return {
    ...rest,
    ...(Array.isArray(outcomes) ? { messages: (outcomes as RedriveOutcome[]).map((o) => o.id) } : {}),
    ...(partitions !== undefined ? { partitions } : {}),
    ...(job !== undefined ? { jobStatus: (job as RedriveJob).status } : {}),
  };
}
