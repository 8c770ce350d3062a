import type { MigrationInterface, QueryRunner } from 'typeorm';
import { bareTableName, DEFAULT_MESSAGING_TABLES, quoteTableName } from '../messaging-tables';

/**
 * The inbox: one row per message a consumer group has handled under `effectively-once`, inserted in the
 * handler's own transaction. The primary key is the deduplication: a second insert of the same
 * (group, message id) means "already done".
 */
export class CreateMessagingInbox1764300000001 implements MigrationInterface {
  name = 'CreateMessagingInbox1764300000001';

  /** TypeORM instantiates migrations without arguments; `messagingMigrations()` passes custom names. */
  constructor(private readonly table: string = DEFAULT_MESSAGING_TABLES.inbox) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = quoteTableName(this.table);
    const bare = bareTableName(this.table);
    await queryRunner.query(`
      CREATE TABLE ${table} (
        consumer_group text        NOT NULL,
        -- The CloudEvents id (ce_id) of the handled message.
        message_id     text        NOT NULL,
        -- Where the message was read from: not needed to deduplicate, but it is what an operator asks
        -- first when a message was skipped as a duplicate.
        topic          text        NOT NULL,
        partition      integer     NOT NULL,
        "offset"       bigint      NOT NULL,
        processed_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ${bare}_pkey PRIMARY KEY (consumer_group, message_id)
      )
    `);
    // For the retention job, which deletes the oldest rows first.
    await queryRunner.query(`CREATE INDEX ${bare}_processed_at_idx ON ${table} (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${quoteTableName(this.table)}`);
  }
}
