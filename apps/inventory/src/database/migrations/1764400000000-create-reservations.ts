import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What inventory holds per order. `stock_orders` is the order's state here (the aggregate row that each
 * handler locks first); `reservations` are the units it holds, one row per SKU.
 */
export class CreateReservations1764400000000 implements MigrationInterface {
  name = 'CreateReservations1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stock_orders (
        order_id   text        PRIMARY KEY,
        -- RESERVED: holds its lines; REJECTED: a line was short, nothing held; RELEASED: held, then given
        -- back; CANCELLED: cancelled before its payment arrived, so a late PaymentAuthorized reserves nothing.
        status     text        NOT NULL
          CONSTRAINT stock_orders_status_check CHECK (status IN ('RESERVED', 'REJECTED', 'RELEASED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      CREATE TABLE reservations (
        order_id   text        NOT NULL REFERENCES stock_orders (order_id),
        sku        text        NOT NULL REFERENCES stock_items (sku),
        quantity   integer     NOT NULL CONSTRAINT reservations_quantity_check CHECK (quantity > 0),
        status     text        NOT NULL
          CONSTRAINT reservations_status_check CHECK (status IN ('RESERVED', 'RELEASED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reservations_pkey PRIMARY KEY (order_id, sku)
      )
    `);
    // "How much of this SKU is held, by whom": the stock invariant is checked per SKU.
    await queryRunner.query('CREATE INDEX reservations_sku_idx ON reservations (sku)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reservations');
    await queryRunner.query('DROP TABLE stock_orders');
  }
}
