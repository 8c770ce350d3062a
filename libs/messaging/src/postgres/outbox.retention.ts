/**
 * Keeps an outbox from growing forever: deletes PUBLISHED rows whose `published_at` is older than
 * `maxAgeMs`, oldest first, in bounded batches (see TableRetention). Unpublished rows are never touched,
 * however old.
 *
 * Published rows are kept for a while rather than deleted on publish: they are the cheapest answer to
 * "was this event sent, and when?", and marking is one UPDATE where deleting would be the same cost
 * without the answer. Any relay instance may run it, leader or not: SKIP LOCKED keeps two runs from
 * waiting on each other, and the relay's own UPDATE touches only unpublished rows.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';
import { quoteTableName, resolveTableNames } from './messaging-tables';
import { TableRetention } from './table-retention';

export interface OutboxRetentionOptions {
  /** The database whose outbox this is. */
  dataSource: DataSource;
  /** Published rows whose `published_at` is older than this are deleted. */
  maxAgeMs: number;
  /** Rows per DELETE statement. Default 1000. */
  batchSize?: number;
  /** Default `messaging_outbox`; may be schema-qualified. */
  table?: string;
  /** The source's name, on every log line. */
  source?: string;
  logger?: Logger;
}

export class OutboxRetention extends TableRetention {
  constructor(options: OutboxRetentionOptions) {
    const table = quoteTableName(resolveTableNames(options.table ? { outbox: options.table } : {}).outbox);
    super({
      ...options,
      name: 'OutboxRetention',
      // Oldest sequence first walks the primary key from its start, where published rows accumulate.
      deleteSql: `
        DELETE FROM ${table}
        WHERE sequence IN (
          SELECT sequence FROM ${table}
          WHERE published_at < now() - $1 * interval '1 millisecond'
          ORDER BY sequence
          LIMIT $2
          FOR UPDATE SKIP LOCKED
        )`,
      ...(options.source === undefined ? {} : { logFields: { source: options.source } }),
    });
  }
}
