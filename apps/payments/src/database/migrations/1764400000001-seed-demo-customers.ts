import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The demo's customers and their credit limits (in euro cents). A migration of its own, apart from the
 * schema, so a fork deletes this one file to start without demo data. Values are literals, not imported
 * constants: a migration is a snapshot and must not change when application code does.
 *
 * | customer   | credit limit | meant for                                         |
 * | ---------- | ------------ | ------------------------------------------------- |
 * | customer-1 | 10 000.00    | the happy path and load: practically never short   |
 * | customer-2 |  5 000.00    | the happy path                                    |
 * | customer-3 |  1 000.00    | a few orders, then declines                       |
 * | customer-4 |     50.00    | insufficient credit for anything but a small order |
 * | customer-5 |      0.00    | every order declined (insufficient-credit)        |
 *
 * Any other customer id is declined as `unknown-customer`.
 */
export class SeedDemoCustomers1764400000001 implements MigrationInterface {
  name = 'SeedDemoCustomers1764400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO customer_accounts (customer_id, credit_limit_cents) VALUES
        ('customer-1', 1000000),
        ('customer-2', 500000),
        ('customer-3', 100000),
        ('customer-4', 5000),
        ('customer-5', 0)
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM customer_accounts WHERE customer_id IN ('customer-1', 'customer-2', 'customer-3', 'customer-4', 'customer-5')`,
    );
  }
}
