import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * orders' local replica of inventory's stock levels, built from the compacted `inventory.stock-levels`
 * (event-carried state): one row per SKU on sale, its level as of `version`. A withdrawn SKU's tombstone
 * deletes its row. Only the replica's consumer writes it; placing an order reads it.
 */
export class CreateStockReplica1796400000000 implements MigrationInterface {
  name = 'CreateStockReplica1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stock_replica (
        sku         text        PRIMARY KEY,
        available   integer     NOT NULL,
        reserved    integer     NOT NULL,
        version     bigint      NOT NULL,
        replicated_at timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE stock_replica');
  }
}
