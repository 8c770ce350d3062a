import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One payment per order: the order id is the payment's identity, so a redelivered or duplicated
 * `OrderPlaced` can never authorize twice (the primary key refuses a second row).
 */
export class CreatePayments1764400000000 implements MigrationInterface {
  name = 'CreatePayments1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payments (
        order_id      text        PRIMARY KEY,
        customer_id   text        NOT NULL,
        amount_cents  bigint      NOT NULL CONSTRAINT payments_amount_check CHECK (amount_cents >= 0),
        currency      text        NOT NULL,
        status        text        NOT NULL
          CONSTRAINT payments_status_check CHECK (status IN ('AUTHORIZED', 'DECLINED', 'REFUNDED')),
        -- Why it was declined or refunded (the reason of the event that said so); NULL while authorized.
        reason        text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )
    `);
    // The credit invariant (reserved = sum of AUTHORIZED payments) is checked per customer.
    await queryRunner.query('CREATE INDEX payments_customer_id_idx ON payments (customer_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payments');
  }
}
