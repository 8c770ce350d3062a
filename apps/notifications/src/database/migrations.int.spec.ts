/**
 * The notifications service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { OrderRecordEntity, NOTIFICATIONS_MIGRATIONS, notificationsDataSourceOptions } from './index';

describe('notifications database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'notifications_migrations',
      notificationsDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('applies every migration, in order, once: the outbox, the inbox and the order records', async () => {
    expect(db.applied).toEqual(NOTIFICATIONS_MIGRATIONS.map((M) => new M().name));
    expect(await db.dataSource.showMigrations()).toBe(false);
    const tables = (await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name <> 'migrations' ORDER BY table_name`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual(['messaging_inbox', 'messaging_outbox', 'order_records']);
  });

  it('stores an order record and reads it back', async () => {
    const records = db.dataSource.getRepository(OrderRecordEntity);
    const orderId = '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70';
    await records.insert({
      orderId,
      customerId: 'customer-7',
      itemCount: 3,
      totalCents: 4_500,
      currency: 'EUR',
    });

    expect(await records.findOneByOrFail({ orderId })).toMatchObject({
      orderId,
      customerId: 'customer-7',
      itemCount: 3,
      totalCents: 4_500,
      currency: 'EUR',
      recordedAt: expect.any(Date),
    });
  });

  it('refuses a negative unit count', async () => {
    const records = db.dataSource.getRepository(OrderRecordEntity);
    await expect(
      records.insert({
        orderId: '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e71',
        customerId: 'customer-8',
        itemCount: -1,
        totalCents: 0,
        currency: 'EUR',
      }),
    ).rejects.toThrow(/order_records_item_count_check/);
  });
});
