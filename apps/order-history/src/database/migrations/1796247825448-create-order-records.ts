import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One record per order: the order id is its identity, so a second message about an order already
 * recorded can never record it twice (the primary key refuses a second row).
 */
export class CreateOrderRecords1796247825448 implements MigrationInterface {
  name = 'CreateOrderRecords1796247825448';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_records (
        order_id     uuid        PRIMARY KEY,
        customer_id  text        NOT NULL,
        item_count   integer     NOT NULL CONSTRAINT order_records_item_count_check CHECK (item_count >= 0),
        total_cents  bigint      NOT NULL CONSTRAINT order_records_total_check CHECK (total_cents >= 0),
        currency     text        NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE order_records');
  }
}
