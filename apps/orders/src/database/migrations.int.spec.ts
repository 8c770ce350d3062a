/**
 * The orders service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { OrderEntity, ORDERS_MIGRATIONS, ordersDataSourceOptions } from './index';

describe('orders database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'orders_migrations',
      ordersDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('applies every migration, in order, once', async () => {
    // Instance names: the messaging migrations are anonymous subclasses (see messagingMigrations()).
    expect(db.applied).toEqual(ORDERS_MIGRATIONS.map((Migration) => new Migration().name));
    expect(db.applied).toEqual([
      'InitialSchema1764230400000',
      'CreateMessagingOutbox1764300000000',
      'CreateMessagingInbox1764300000001',
      'OrderLinesHistoryIdempotency1764400000000',
      'SeedCatalog1764400000001',
      'CreateSagaInstances1765300000000',
      'CreateStockReplica1796400000000',
    ]);
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('stores an order and reads it back', async () => {
    const orders = db.dataSource.getRepository(OrderEntity);
    await orders.insert({
      id: '0195f3a8-7c1e-7a2b-9c3d-4e5f60718293',
      customerId: 'customer-42',
      status: 'PENDING',
      totalCents: 12_345,
      currency: 'EUR',
    });

    const stored = await orders.findOneByOrFail({ id: '0195f3a8-7c1e-7a2b-9c3d-4e5f60718293' });
    expect(stored).toMatchObject({
      customerId: 'customer-42',
      status: 'PENDING',
      totalCents: 12_345,
      currency: 'EUR',
    });
    expect(stored.createdAt).toBeInstanceOf(Date);
  });

  it('seeds the catalog with the demo SKUs, in EUR cents', async () => {
    expect(
      await db.dataSource.query(
        'SELECT sku, unit_price_cents::int AS cents, currency FROM products ORDER BY sku',
      ),
    ).toEqual([
      { sku: 'SKU-BLUE-MUG', cents: 1200, currency: 'EUR' },
      { sku: 'SKU-LIMITED', cents: 5000, currency: 'EUR' },
      { sku: 'SKU-POSTER', cents: 900, currency: 'EUR' },
      { sku: 'SKU-RED-MUG', cents: 1200, currency: 'EUR' },
      { sku: 'SKU-TEE-L', cents: 2500, currency: 'EUR' },
      { sku: 'SKU-TEE-M', cents: 2500, currency: 'EUR' },
    ]);
  });

  it('rejects a status outside the order state machine', async () => {
    const insert = db.dataSource.getRepository(OrderEntity).insert({
      id: '0195f3a8-7c1e-7a2b-9c3d-4e5f60718294',
      customerId: 'customer-42',
      status: 'SHIPPED' as OrderEntity['status'],
      totalCents: 1,
      currency: 'EUR',
    });
    await expect(insert).rejects.toThrow(/orders_status_check/);
  });
});
