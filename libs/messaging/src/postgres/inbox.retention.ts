/**
 * Keeps the inbox from growing forever: deletes rows older than `maxAgeMs`, oldest first, in bounded
 * batches, each its own short transaction, so a large backlog never holds long locks or bloats one
 * transaction.
 *
 * The age must be longer than any message could still be redelivered after it was handled (the longest
 * retry-topic delay, a consumer group left stopped, a replay from an old offset): a message redelivered
 * after its inbox row is gone is handled again. Days, not minutes.
 */
import type { DataSource } from 'typeorm';
import { silentLogger, type Logger } from '../logging/logger';
import { quoteTableName, resolveTableNames } from './messaging-tables';

export interface InboxRetentionOptions {
  dataSource: DataSource;
  /** Rows whose `processed_at` is older than this are deleted. */
  maxAgeMs: number;
  /** Rows per DELETE statement. Default 1000. */
  batchSize?: number;
  /** Default `messaging_inbox`; may be schema-qualified. */
  table?: string;
  logger?: Logger;
}

export class InboxRetention {
  private readonly deleteSql: string;
  private readonly batchSize: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: InboxRetentionOptions) {
    if (!Number.isSafeInteger(options.maxAgeMs) || options.maxAgeMs <= 0) {
      throw new RangeError(`InboxRetention maxAgeMs must be a positive integer, got ${options.maxAgeMs}`);
    }
    this.batchSize = options.batchSize ?? 1_000;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RangeError(`InboxRetention batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.logger = options.logger ?? silentLogger;
    const table = quoteTableName(resolveTableNames(options.table ? { inbox: options.table } : {}).inbox);
    // The cutoff is computed by the database, on the same clock that filled processed_at. SKIP LOCKED lets
    // two instances of a service run the job at once without waiting on each other.
    this.deleteSql = `
      DELETE FROM ${table}
      WHERE (consumer_group, message_id) IN (
        SELECT consumer_group, message_id FROM ${table}
        WHERE processed_at < now() - $1 * interval '1 millisecond'
        ORDER BY processed_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      )`;
  }

  /** Deletes every expired row, batch by batch; returns how many. */
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
    this.logger.info({ deleted: total, batches, maxAgeMs: this.options.maxAgeMs }, 'inbox retention ran');
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
          this.logger.error({ err: error }, 'inbox retention failed');
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
