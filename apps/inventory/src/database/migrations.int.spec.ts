/**
 * The inventory service's migrations against real PostgreSQL, in a database of this test's own.
 */
import {
  createMigratedDatabase,
  testInfrastructure,
  uniqueName,
  type MigratedDatabase,
} from '@orderstream/testing';
import { INVENTORY_MIGRATIONS, inventoryDataSourceOptions, StockItemEntity } from './index';

describe('inventory database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'inventory_migrations',
      inventoryDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('applies every migration, in order, once', async () => {
    expect(db.applied).toEqual(INVENTORY_MIGRATIONS.map((M) => new M().name));
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('seeds the demo stock', async () => {
    const seeded = await db.dataSource.getRepository(StockItemEntity).find({ order: { sku: 'ASC' } });
    expect(seeded.map(({ sku, available, reserved }) => ({ sku, available, reserved }))).toEqual([
      { sku: 'SKU-BLUE-MUG', available: 1000, reserved: 0 },
      { sku: 'SKU-LIMITED', available: 10, reserved: 0 },
      { sku: 'SKU-POSTER', available: 200, reserved: 0 },
      { sku: 'SKU-RED-MUG', available: 1000, reserved: 0 },
      { sku: 'SKU-TEE-L', available: 500, reserved: 0 },
      { sku: 'SKU-TEE-M', available: 500, reserved: 0 },
    ]);
  });

  it('stores a stock item and reads it back', async () => {
    const stock = db.dataSource.getRepository(StockItemEntity);
    const sku = uniqueName('SKU-TEST');
    await stock.insert({ sku, available: 10 });

    const stored = await stock.findOneByOrFail({ sku });
    expect(stored).toMatchObject({ sku, available: 10, reserved: 0 });
  });

  it('never lets available stock go negative', async () => {
    const stock = db.dataSource.getRepository(StockItemEntity);
    const sku = uniqueName('SKU-TEST');
    await stock.insert({ sku, available: 1 });
    await expect(stock.update({ sku }, { available: -1 })).rejects.toThrow(/stock_items_available_check/);
  });
});
