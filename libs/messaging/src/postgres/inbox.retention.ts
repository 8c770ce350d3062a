/**
 * Keeps the inbox from growing forever: deletes rows whose `processed_at` is older than `maxAgeMs`, oldest
 * first, in bounded batches (see TableRetention).
 *
 * The age must be longer than any message could still be redelivered after it was handled (the longest
 * retry-topic delay, a consumer group left stopped, a replay from an old offset): a message redelivered
 * after its inbox row is gone is handled again. Days, not minutes.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';
import { quoteTableName, resolveTableNames } from './messaging-tables';
import { TableRetention } from './table-retention';

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

export class InboxRetention extends TableRetention {
  constructor(options: InboxRetentionOptions) {
    const table = quoteTableName(resolveTableNames(options.table ? { inbox: options.table } : {}).inbox);
    super({
      ...options,
      name: 'InboxRetention',
      deleteSql: `
        DELETE FROM ${table}
        WHERE (consumer_group, message_id) IN (
          SELECT consumer_group, message_id FROM ${table}
          WHERE processed_at < now() - $1 * interval '1 millisecond'
          ORDER BY processed_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
        )`,
    });
  }
}
