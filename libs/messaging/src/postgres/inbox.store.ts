/**
 * The inbox, Eventuate style: recording a message as handled is an insert of (consumer group, message id)
 * in the handler's own transaction; finding the key already there means "already done".
 */
import type { EntityManager } from 'typeorm';
import type { InboxEntry } from '../ports/inbox.port';
import { quoteTableName, resolveTableNames } from './messaging-tables';

export class InboxStore {
  private readonly insertSql: string;

  /** `table`: default `messaging_inbox`; may be schema-qualified. Must match the migration's table. */
  constructor(table?: string) {
    const name = quoteTableName(resolveTableNames(table ? { inbox: table } : {}).inbox);
    // ON CONFLICT DO NOTHING rather than catching the unique violation: an error would abort the whole
    // transaction. Under a concurrent insert of the same key (a rebalance handing the message to a second
    // consumer) PostgreSQL makes this insert wait for the other transaction: if it commits, this one
    // inserts nothing; if it rolls back, this one inserts. So exactly one handler's work commits.
    this.insertSql = `
      INSERT INTO ${name} (consumer_group, message_id, topic, partition, "offset")
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (consumer_group, message_id) DO NOTHING
      RETURNING 1 AS inserted`;
  }

  /** Records the message in the transaction of `manager`. False: the group has handled it before. */
  async record(manager: EntityManager, entry: InboxEntry): Promise<boolean> {
    const rows = (await manager.query(this.insertSql, [
      entry.groupId,
      entry.messageId,
      entry.topic,
      entry.partition,
      entry.offset,
    ])) as unknown[];
    return rows.length === 1;
  }
}
