/**
 * Keeps a source's outbox from growing forever: deletes PUBLISHED rows whose `published_at` is older than
 * `maxAgeMs`, in bounded batches, each its own short statement, so a large backlog of old rows never holds
 * long locks or bloats one transaction. Unpublished rows are never touched, however old.
 *
 * Published rows are kept for a while rather than deleted on publish: they are the cheapest answer to
 * "was this event sent, and when?", and marking is one UPDATE where deleting would be the same cost
 * without the answer. Any instance may run it, leader or not: SKIP LOCKED keeps two runs from waiting on
 * each other, and the relay's own UPDATE touches only unpublished rows.
 */
import type { DataSource } from 'typeorm';
import { quoteTableName, resolveTableNames, silentLogger, type Logger } from '@orderstream/messaging';

export interface OutboxRetentionOptions {
  /** The source database. */
  dataSource: DataSource;
  /** Published rows whose `published_at` is older than this are deleted. */
  maxAgeMs: number;
  /** Rows per DELETE statement. Default 1000. */
  batchSize?: number;
  /** Default `messaging_outbox`; may be schema-qualified. */
  table?: string;
  /** The source's name, for log lines. */
  source?: string;
  logger?: Logger;
}

export class OutboxRetention {
  private readonly deleteSql: string;
  private readonly batchSize: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: OutboxRetentionOptions) {
    if (!Number.isSafeInteger(options.maxAgeMs) || options.maxAgeMs <= 0) {
      throw new RangeError(`OutboxRetention maxAgeMs must be a positive integer, got ${options.maxAgeMs}`);
    }
    this.batchSize = options.batchSize ?? 1_000;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RangeError(`OutboxRetention batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.logger = options.logger ?? silentLogger;
    const table = quoteTableName(resolveTableNames(options.table ? { outbox: options.table } : {}).outbox);
    // The cutoff is computed by the database, on the clock that filled published_at. Oldest sequence
    // first walks the primary key from its start, where published rows accumulate.
    this.deleteSql = `
      DELETE FROM ${table}
      WHERE sequence IN (
        SELECT sequence FROM ${table}
        WHERE published_at < now() - $1 * interval '1 millisecond'
        ORDER BY sequence
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      )`;
  }

  /** Deletes every expired published row, batch by batch; returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    let batches = 0;
    for (;;) {
      const [, deleted] = (await this.options.dataSource.query(this.deleteSql, [
        this.options.maxAgeMs,
        this.batchSize,
      ])) as [unknown[], number];
      total += deleted;
      batches += 1;
      if (deleted < this.batchSize) break;
    }
    this.logger.info(
      { source: this.options.source, deleted: total, batches, maxAgeMs: this.options.maxAgeMs },
      'outbox retention ran',
    );
    return total;
  }

  /** Runs `runOnce` every `intervalMs` until `stop`. A failed run is logged and retried at the next tick. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce();
      this.running
        .catch((error: unknown) => {
          this.logger.error({ err: error, source: this.options.source }, 'outbox retention failed');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    // A housekeeping timer must not keep the process alive on shutdown.
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
