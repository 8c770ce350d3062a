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
    expect(db.applied).toEqual(ORDERS_MIGRATIONS.map((m) => m.name));
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
