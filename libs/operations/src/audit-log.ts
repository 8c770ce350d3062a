/**
 * Who did what to which group, when, and how many messages it touched: one row per operator action in
 * `ops_audit` and the same as one log line. Dry runs are recorded too (they show what someone looked at
 * before acting). A failed action is recorded with its error before the error goes back to the caller.
 */
import type { Logger } from '@orderstream/messaging';
import type { DataSource } from 'typeorm';

/** Where the action came from: the command line or the admin API (the console uses the API). */
export type AuditChannel = 'cli' | 'api';

export interface Actor {
  /** A person or a token's name; never the token itself. */
  name: string;
  via: AuditChannel;
}

export interface AuditEntry {
  actor: Actor;
  /** `dlt.redrive`, `dlt.purge`, `dlt.show`, `dlt.resume`. */
  action: string;
  /** The consumer group, or the message id for `dlt.show`. */
  target: string;
  dryRun: boolean;
  request: unknown;
  affected: number;
  outcome: 'ok' | 'failed';
  detail: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  via: AuditChannel;
  action: string;
  target: string;
  dry_run: boolean;
  request: unknown;
  affected: number;
  outcome: 'ok' | 'failed';
  detail: unknown;
}

export class AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ops_audit (actor, via, action, target, dry_run, request, affected, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.actor.name,
        entry.actor.via,
        entry.action,
        entry.target,
        entry.dryRun,
        JSON.stringify(entry.request ?? {}),
        entry.affected,
        entry.outcome,
        JSON.stringify(entry.detail ?? {}),
      ],
    );
    const fields = {
      audit: true,
      actor: entry.actor.name,
      via: entry.actor.via,
      action: entry.action,
      target: entry.target,
      dryRun: entry.dryRun,
      affected: entry.affected,
      outcome: entry.outcome,
    };
    if (entry.outcome === 'ok') this.logger.info(fields, `ops ${entry.action} ${entry.target}`);
    else this.logger.warn({ ...fields, detail: entry.detail }, `ops ${entry.action} ${entry.target} failed`);
  }

  /** The latest entries, newest first. */
  async latest(limit = 100): Promise<AuditRecord[]> {
    const rows = (await this.dataSource.query('SELECT * FROM ops_audit ORDER BY at DESC, id DESC LIMIT $1', [
      limit,
    ])) as AuditRow[];
    return rows.map((row) => ({
      id: String(row.id),
      at: new Date(row.at).toISOString(),
      actor: { name: row.actor, via: row.via },
      action: row.action,
      target: row.target,
      dryRun: row.dry_run,
      request: row.request,
      affected: row.affected,
      outcome: row.outcome,
      detail: row.detail,
    }));
  }
}
