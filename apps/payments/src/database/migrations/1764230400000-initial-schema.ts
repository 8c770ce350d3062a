import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customer_accounts (
        customer_id        text        PRIMARY KEY,
        credit_limit_cents bigint      NOT NULL
          CONSTRAINT customer_accounts_credit_limit_check CHECK (credit_limit_cents >= 0),
        reserved_cents     bigint      NOT NULL DEFAULT 0
          CONSTRAINT customer_accounts_reserved_check CHECK (reserved_cents >= 0),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customer_accounts_reserved_within_limit CHECK (reserved_cents <= credit_limit_cents)
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE customer_accounts');
  }
}
