import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer accounts become event-sourced (issue 11): every row `customer_accounts` holds when this runs
 * gets a stream `CustomerAccount-<customer_id>` whose first event, `AccountOpened`, carries the row's limit
 * and what it had reserved. From then on the streams are the accounts and the table is their projection.
 * The event store's tables come from `eventStoreMigrations()`, listed before this one. Literal SQL, not
 * the store's code: a migration is a snapshot and must not change when application code does.
 */
export class EventSourceCustomerAccounts1765200000000 implements MigrationInterface {
  name = 'EventSourceCustomerAccounts1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO event_store_streams (stream_id, stream_type, version)
      SELECT 'CustomerAccount-' || customer_id, 'CustomerAccount', 1 FROM customer_accounts
    `);
    await queryRunner.query(`
      INSERT INTO event_store_events (event_id, stream_id, version, type, data, metadata)
      SELECT gen_random_uuid(), 'CustomerAccount-' || customer_id, 1, 'AccountOpened',
             jsonb_build_object('customerId', customer_id, 'creditLimitCents', credit_limit_cents,
                                'reservedCents', reserved_cents),
             '{"importedFrom": "customer_accounts"}'::jsonb
        FROM customer_accounts
       ORDER BY customer_id
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM event_store_snapshots WHERE stream_id LIKE 'CustomerAccount-%'`);
    await queryRunner.query(`DELETE FROM event_store_events WHERE stream_id LIKE 'CustomerAccount-%'`);
    await queryRunner.query(`DELETE FROM event_store_streams WHERE stream_type = 'CustomerAccount'`);
  }
}
