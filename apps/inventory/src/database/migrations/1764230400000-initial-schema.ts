import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stock_items (
        sku        text        PRIMARY KEY,
        available  integer     NOT NULL CONSTRAINT stock_items_available_check CHECK (available >= 0),
        reserved   integer     NOT NULL DEFAULT 0 CONSTRAINT stock_items_reserved_check CHECK (reserved >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE stock_items');
  }
}
