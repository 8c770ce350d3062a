/**
 * The inventory service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
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
    expect(db.applied).toEqual(INVENTORY_MIGRATIONS.map((m) => m.name));
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('stores a stock item and reads it back', async () => {
    const stock = db.dataSource.getRepository(StockItemEntity);
    await stock.insert({ sku: 'SKU-RED-MUG', available: 10 });

    const stored = await stock.findOneByOrFail({ sku: 'SKU-RED-MUG' });
    expect(stored).toMatchObject({ sku: 'SKU-RED-MUG', available: 10, reserved: 0 });
  });

  it('never lets available stock go negative', async () => {
    const stock = db.dataSource.getRepository(StockItemEntity);
    await stock.insert({ sku: 'SKU-BLUE-MUG', available: 1 });
    await expect(stock.update({ sku: 'SKU-BLUE-MUG' }, { available: -1 })).rejects.toThrow(
      /stock_items_available_check/,
    );
  });
});
