/**
 * The payments service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { CustomerAccountEntity, PAYMENTS_MIGRATIONS, paymentsDataSourceOptions } from './index';

describe('payments database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'payments_migrations',
      paymentsDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('applies every migration, in order, once', async () => {
    expect(db.applied).toEqual(PAYMENTS_MIGRATIONS.map((M) => new M().name));
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('stores a customer account and reads it back', async () => {
    const accounts = db.dataSource.getRepository(CustomerAccountEntity);
    await accounts.insert({ customerId: 'customer-7', creditLimitCents: 50_000 });

    const stored = await accounts.findOneByOrFail({ customerId: 'customer-7' });
    expect(stored).toMatchObject({ customerId: 'customer-7', creditLimitCents: 50_000, reservedCents: 0 });
  });

  it('never lets reserved credit exceed the limit', async () => {
    const accounts = db.dataSource.getRepository(CustomerAccountEntity);
    await accounts.insert({ customerId: 'customer-8', creditLimitCents: 100 });
    await expect(accounts.update({ customerId: 'customer-8' }, { reservedCents: 101 })).rejects.toThrow(
      /customer_accounts_reserved_within_limit/,
    );
  });
});
