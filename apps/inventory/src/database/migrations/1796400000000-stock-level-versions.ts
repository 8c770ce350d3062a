import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock levels as event-carried state (`inventory.stock-levels`, compacted, keyed by SKU):
 *
 * - `version` grows by one with every change of a SKU's level, made by a trigger so that no UPDATE (the
 *   use cases', or an operator's by hand) can change a level without a new version: readers keep the
 *   highest version they have seen.
 * - `announced_version` is the version last written to the outbox. The use cases announce their changes
 *   in the same transaction; at boot inventory announces every row whose level was never announced (the
 *   seeded stock, a change made by hand), so the topic always converges to the table.
 * - `withdrawn_at` marks a SKU withdrawn from sale: it takes no new reservation, and its key gets a
 *   tombstone. Kept as a row, not deleted: reservations refer to it and may still be released.
 */
export class StockLevelVersions1796400000000 implements MigrationInterface {
  name = 'StockLevelVersions1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE stock_items
        ADD COLUMN version           bigint      NOT NULL DEFAULT 1,
        ADD COLUMN announced_version bigint,
        ADD COLUMN withdrawn_at      timestamptz
    `);
    await queryRunner.query(`
      CREATE FUNCTION stock_items_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.available, NEW.reserved, NEW.withdrawn_at) IS DISTINCT FROM
           (OLD.available, OLD.reserved, OLD.withdrawn_at) THEN
          NEW.version := OLD.version + 1;
        ELSE
          NEW.version := OLD.version;
        END IF;
        RETURN NEW;
      END
      $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER stock_items_version BEFORE UPDATE ON stock_items
        FOR EACH ROW EXECUTE FUNCTION stock_items_next_version()
    `);
    // The boot-time announcement looks for exactly these rows.
    await queryRunner.query(`
      CREATE INDEX stock_items_unannounced_idx ON stock_items (sku)
        WHERE announced_version IS DISTINCT FROM version
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX stock_items_unannounced_idx');
    await queryRunner.query('DROP TRIGGER stock_items_version ON stock_items');
    await queryRunner.query('DROP FUNCTION stock_items_next_version()');
    await queryRunner.query(`
      ALTER TABLE stock_items DROP COLUMN withdrawn_at, DROP COLUMN announced_version, DROP COLUMN version
    `);
  }
}
