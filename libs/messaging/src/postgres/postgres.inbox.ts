/**
 * The inbox port on PostgreSQL through TypeORM: the handler's work and the inbox row in one transaction of
 * the service's own DataSource. The handler reaches the transaction with `entityManagerOf(context)`.
 */
import type { DataSource } from 'typeorm';
import type { InboxEntry, InboxPort } from '../ports/inbox.port';
import { InboxStore } from './inbox.store';

export interface PostgresInboxOptions {
  /** Default `messaging_inbox`; may be schema-qualified. Must match the migration's table. */
  table?: string;
}

export class PostgresInbox implements InboxPort {
  private readonly store: InboxStore;

  constructor(
    private readonly dataSource: DataSource,
    options: PostgresInboxOptions = {},
  ) {
    this.store = new InboxStore(options.table);
  }

  runOnce(entry: InboxEntry, work: (transaction: unknown) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.store.record(manager, entry))) return false;
      await work(manager);
      return true;
    });
  }
}
