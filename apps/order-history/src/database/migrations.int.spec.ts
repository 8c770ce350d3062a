/**
 * The order-history service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { createGenerationSchema, pointViewsAt } from '../projection/generation-schema';
import { ORDER_HISTORY_MIGRATIONS, orderHistoryDataSourceOptions } from './index';

describe('order-history database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'order_history_migrations',
      orderHistoryDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('applies every migration, in order, once: the outbox, the inbox and the generations', async () => {
    expect(db.applied).toEqual(ORDER_HISTORY_MIGRATIONS.map((M) => new M().name));
    expect(await db.dataSource.showMigrations()).toBe(false);
    const tables = (await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name <> 'migrations' ORDER BY table_name`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual([
      'messaging_inbox',
      'messaging_outbox',
      'projection_generations',
    ]);
  });

  it('serves at most one generation and builds at most one', async () => {
    const insert = (generation: number, status: string) =>
      db.dataSource.query(
        `INSERT INTO projection_generations (generation, code_version, status, consumer_group) VALUES ($1, 1, $2, $3)`,
        [generation, status, `g${generation}`],
      );
    await insert(101, 'serving');
    await insert(102, 'building');
    await insert(103, 'retired');
    await insert(104, 'retired');
    await expect(insert(105, 'serving')).rejects.toThrow(/projection_generations_one_serving/);
    await expect(insert(106, 'building')).rejects.toThrow(/projection_generations_one_building/);
    await expect(insert(107, 'paused')).rejects.toThrow(/projection_generations_status/);
    await db.dataSource.query(`DELETE FROM projection_generations`);
  });

  it("creates a generation's tables in a schema of its own and serves them through public views", async () => {
    await db.dataSource.transaction(async (manager) => {
      await createGenerationSchema(manager, 41);
      await pointViewsAt(manager, 41);
    });
    await db.dataSource.query(`INSERT INTO order_history_g41.order_views (order_id) VALUES ($1)`, [
      '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70',
    ]);
    await db.dataSource.transaction(async (manager) => {
      await createGenerationSchema(manager, 42);
      await pointViewsAt(manager, 42);
    });
    expect(await db.dataSource.query(`SELECT order_id FROM order_views`)).toEqual([]);
    await db.dataSource.transaction((manager) => pointViewsAt(manager, 41));
    expect(await db.dataSource.query(`SELECT order_id, payment_state FROM order_views`)).toEqual([
      { order_id: '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70', payment_state: 'NONE' },
    ]);
  });
});
