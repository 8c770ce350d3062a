import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The demo's stock, matching the orders service's catalog. A migration of its own so a fork deletes this
 * file to start empty. Literal values: a migration is a snapshot.
 *
 * | SKU          | units | meant for                                   |
 * | ------------ | ----- | ------------------------------------------- |
 * | SKU-RED-MUG  | 1000  | the happy path                              |
 * | SKU-BLUE-MUG | 1000  | the happy path                              |
 * | SKU-TEE-M    |  500  | the happy path                              |
 * | SKU-TEE-L    |  500  | the happy path                              |
 * | SKU-POSTER   |  200  | the happy path                              |
 * | SKU-LIMITED  |   10  | out of stock under load: refund and cancel  |
 */
export class SeedDemoStock1764400000001 implements MigrationInterface {
  name = 'SeedDemoStock1764400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO stock_items (sku, available) VALUES
        ('SKU-RED-MUG', 1000),
        ('SKU-BLUE-MUG', 1000),
        ('SKU-TEE-M', 500),
        ('SKU-TEE-L', 500),
        ('SKU-POSTER', 200),
        ('SKU-LIMITED', 10)
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM stock_items
        WHERE sku IN ('SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-TEE-L', 'SKU-POSTER', 'SKU-LIMITED')`,
    );
  }
}
