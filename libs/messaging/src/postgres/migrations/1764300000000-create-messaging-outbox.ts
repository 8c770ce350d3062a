import type { MigrationInterface, QueryRunner } from 'typeorm';
import { bareTableName, DEFAULT_MESSAGING_TABLES, quoteTableName } from '../messaging-tables';

/**
 * The transactional outbox: one row per event, written in the business transaction by `OutboxWriter` and
 * published by the relay. The row is the Kafka record exactly as it will be sent (see outbox.writer.ts).
 */
export class CreateMessagingOutbox1764300000000 implements MigrationInterface {
  name = 'CreateMessagingOutbox1764300000000';

  /** TypeORM instantiates migrations without arguments; `messagingMigrations()` passes custom names. */
  constructor(private readonly table: string = DEFAULT_MESSAGING_TABLES.outbox) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = quoteTableName(this.table);
    const bare = bareTableName(this.table);
    await queryRunner.query(`
      CREATE TABLE ${table} (
        -- Assigned at insert, not at commit: concurrent transactions can commit out of sequence order, so
        -- the relay selects unpublished rows (published_at IS NULL) ordered by sequence rather than
        -- remembering the highest sequence it has seen (which would skip a late committer).
        sequence       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- The CloudEvents id (ce_id); unique so that an event can never be queued twice.
        message_id     text        NOT NULL CONSTRAINT ${bare}_message_id_key UNIQUE,
        event_type     text        NOT NULL,
        topic          text        NOT NULL,
        -- The aggregate id: the Kafka key (and ce_subject), so events of one aggregate keep their order.
        key            text        NOT NULL,
        -- Header name -> string, or {"base64": "..."} for a binary value (see outbox-headers.ts).
        headers        jsonb       NOT NULL,
        -- The encoded record value (Avro, Confluent wire format); NULL would be a tombstone.
        payload        bytea,
        aggregate_type text        NOT NULL,
        aggregate_id   text        NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        published_at   timestamptz
      )
    `);
    // The relay's work queue: small, because published rows drop out of it.
    await queryRunner.query(
      `CREATE INDEX ${bare}_unpublished_idx ON ${table} (sequence) WHERE published_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${quoteTableName(this.table)}`);
  }
}
