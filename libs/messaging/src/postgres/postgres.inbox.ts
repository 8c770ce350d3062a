/**
 * The inbox port on PostgreSQL through TypeORM: the handler's work and the inbox row in one transaction of
 * the service's own DataSource. The handler reaches the transaction with `entityManagerOf(context)`.
 */
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { InboxConflictError } from '../delivery/inbox-conflict.error';
import type { InboxBatch, InboxEntry, InboxPort } from '../ports/inbox.port';
import { InboxStore } from './inbox.store';
import { quoteTableName, resolveTableNames } from './messaging-tables';
import { classifyPostgresError, type PostgresErrorClassifierOptions } from './postgres-error.classifier';

export interface PostgresInboxOptions extends PostgresErrorClassifierOptions {
  /** Default `messaging_inbox`; may be schema-qualified. Must match the migration's table. */
  table?: string;
}

export class PostgresInbox implements InboxPort {
  private readonly store: InboxStore;
  private readonly recordedSql: string;
  private readonly insertManySql: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: PostgresInboxOptions = {},
  ) {
    this.store = new InboxStore(options.table);
    const table = quoteTableName(resolveTableNames(options.table ? { inbox: options.table } : {}).inbox);
    this.recordedSql = `
      SELECT message_id FROM ${table} WHERE consumer_group = $1 AND message_id = ANY($2::text[])`;
    // One statement for the whole batch. ON CONFLICT DO NOTHING waits for a concurrent transaction that
    // inserts the same key; RETURNING then tells whether every row of the batch was ours to insert.
    this.insertManySql = `
      INSERT INTO ${table} (consumer_group, message_id, topic, partition, "offset")
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[])
      ON CONFLICT (consumer_group, message_id) DO NOTHING
      RETURNING message_id`;
  }

  /**
   * One transaction on a connection of its own for the batch; the records it has already are read with
   * one query. The caller must `commit` or `rollback`, which releases the connection.
   */
  async openBatch(groupId: string, messageIds: readonly string[]): Promise<InboxBatch> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const rows = (await runner.query(this.recordedSql, [groupId, messageIds])) as { message_id: string }[];
      return new PostgresInboxBatch(
        runner,
        groupId,
        new Set(rows.map((r) => r.message_id)),
        this.insertManySql,
      );
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw error;
    }
  }

  /**
   * Rethrows the transaction's failure classified (`classifyPostgresError`): a data exception or constraint
   * violation (SQLSTATE classes 22 and 23) becomes a non-retriable `PostgresError`; serialization failures,
   * deadlocks and lost connections stay retriable.
   */
  async runOnce(entry: InboxEntry, work: (transaction: unknown) => Promise<void>): Promise<boolean> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        if (!(await this.store.record(manager, entry))) return false;
        await work(manager);
        return true;
      });
    } catch (error) {
      throw this.classify(error);
    }
  }

  classify(error: unknown): unknown {
    return classifyPostgresError(error, this.options);
  }
}

class PostgresInboxBatch implements InboxBatch {
  private readonly added: InboxEntry[] = [];
  private released = false;

  constructor(
    private readonly runner: QueryRunner,
    private readonly groupId: string,
    private readonly recorded: ReadonlySet<string>,
    private readonly insertManySql: string,
  ) {}

  get transaction(): EntityManager {
    return this.runner.manager;
  }

  isRecorded(messageId: string): boolean {
    return this.recorded.has(messageId);
  }

  add(entry: InboxEntry): void {
    this.added.push(entry);
  }

  async commit(): Promise<void> {
    try {
      if (this.added.length > 0) {
        const inserted = (await this.runner.query(this.insertManySql, [
          this.groupId,
          this.added.map((e) => e.messageId),
          this.added.map((e) => e.topic),
          this.added.map((e) => e.partition),
          this.added.map((e) => e.offset),
        ])) as { message_id: string }[];
        if (inserted.length !== this.added.length) {
          const ours = new Set(inserted.map((r) => r.message_id));
          const taken = this.added.map((e) => e.messageId).filter((id) => !ours.has(id));
          throw new InboxConflictError(this.groupId, taken);
        }
      }
      await this.runner.commitTransaction();
    } catch (error) {
      await this.rollback();
      throw error;
    }
    await this.release();
  }

  async rollback(): Promise<void> {
    if (this.released) return;
    try {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
    } finally {
      await this.release();
    }
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.runner.release();
  }
}
