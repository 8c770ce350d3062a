import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an order needs beyond its header row: its priced lines, the history of its status (every transition,
 * with the reason and what caused it) and the HTTP idempotency keys of `POST /orders`.
 */
export class OrderLinesHistoryIdempotency1764400000000 implements MigrationInterface {
  name = 'OrderLinesHistoryIdempotency1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_lines (
        order_id         uuid    NOT NULL REFERENCES orders (id),
        line_no          integer NOT NULL,
        sku              text    NOT NULL,
        quantity         integer NOT NULL CONSTRAINT order_lines_quantity_check CHECK (quantity > 0),
        unit_price_cents bigint  NOT NULL CONSTRAINT order_lines_price_check CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, line_no),
        CONSTRAINT order_lines_sku_unique UNIQUE (order_id, sku)
      )
    `);
    await queryRunner.query(`
      CREATE TABLE order_status_history (
        id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id    uuid        NOT NULL REFERENCES orders (id),
        status      text        NOT NULL,
        reason      text,
        caused_by   text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(
      'CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id)',
    );
    await queryRunner.query('CREATE INDEX orders_customer_idx ON orders (customer_id, created_at DESC)');
    // The deadline poller's scan: only pending orders, oldest first.
    await queryRunner.query(
      `CREATE INDEX orders_pending_idx ON orders (created_at) WHERE status = 'PENDING'`,
    );
    // The row is claimed first (INSERT … ON CONFLICT DO NOTHING, which makes a concurrent duplicate wait
    // on the key until this transaction ends) and its response filled in before commit, so a committed row
    // always has one; the columns are nullable only for that moment inside the transaction.
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        key             text        PRIMARY KEY,
        request_hash    text        NOT NULL,
        response_status integer,
        response_body   jsonb,
        created_at      timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE idempotency_keys');
    await queryRunner.query('DROP INDEX orders_pending_idx');
    await queryRunner.query('DROP INDEX orders_customer_idx');
    await queryRunner.query('DROP TABLE order_status_history');
    await queryRunner.query('DROP TABLE order_lines');
  }
}
