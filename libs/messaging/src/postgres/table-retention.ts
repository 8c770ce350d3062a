/**
 * What the inbox and outbox retention jobs share: delete expired rows oldest first in bounded batches, each
 * its own short statement, so a large backlog never holds long locks or bloats one transaction; and run
 * that on a timer that never overlaps itself and never keeps the process alive.
 *
 * The DELETE is the caller's (which table, which rows count as expired, in which order); it takes the
 * maximum age in milliseconds as `$1` and the batch size as `$2`, computes the cutoff on the database's
 * clock (the one that filled the timestamp), and uses `FOR UPDATE SKIP LOCKED` so that two instances
 * running the job at once never wait on each other.
 */
import type { DataSource } from 'typeorm';
import { silentLogger, type Logger } from '../logging/logger';

export interface TableRetentionOptions {
  /** The job's name in validation errors (`InboxRetention`) and log lines (`inbox retention ran`). */
  name: string;
  dataSource: DataSource;
  /** A DELETE of at most `$2` rows older than `$1` milliseconds. */
  deleteSql: string;
  maxAgeMs: number;
  /** Rows per DELETE statement. Default 1000. */
  batchSize?: number;
  logger?: Logger;
  /** Extra fields on every log line (e.g. the outbox's source). */
  logFields?: Record<string, unknown>;
}

export class TableRetention {
  private readonly batchSize: number;
  private readonly logger: Logger;
  private readonly label: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: TableRetentionOptions) {
    if (!Number.isSafeInteger(options.maxAgeMs) || options.maxAgeMs <= 0) {
      throw new RangeError(`${options.name} maxAgeMs must be a positive integer, got ${options.maxAgeMs}`);
    }
    this.batchSize = options.batchSize ?? 1_000;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RangeError(`${options.name} batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.logger = options.logger ?? silentLogger;
    // InboxRetention → "inbox retention", for log lines.
    this.label = options.name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
  }

  /** Deletes every expired row, batch by batch; returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    let batches = 0;
    for (;;) {
      const [, deleted] = (await this.options.dataSource.query(this.options.deleteSql, [
        this.options.maxAgeMs,
        this.batchSize,
      ])) as [unknown[], number];
      total += deleted;
      batches += 1;
      if (deleted < this.batchSize) break;
    }
    this.logger.info(
      { ...this.options.logFields, deleted: total, batches, maxAgeMs: this.options.maxAgeMs },
      `${this.label} ran`,
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
          this.logger.error({ ...this.options.logFields, err: error }, `${this.label} failed`);
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
