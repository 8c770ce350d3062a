/**
 * The race insertStockOrder expects, on real PostgreSQL: two transactions decide the same new order at
 * once; the second's INSERT waits for the first, fails on the primary key when it commits, and leaves as a
 * retriable HandlerError (not the non-retriable POSTGRES_23505 every other unique violation becomes), so
 * the consumer retries it and the retry sees the order decided.
 */
import { randomUUID } from 'node:crypto';
import { HandlerError, isRetriable } from '@orderstream/messaging';
import { classifyPostgresError } from '@orderstream/messaging/postgres';
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { inventoryDataSourceOptions } from '../database';
import { insertStockOrder } from './insert-stock-order';

describe('insertStockOrder', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'insert_stock_order',
      inventoryDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('makes losing the race for a new order retriable, and keeps other data errors non-retriable', async () => {
    const orderId = randomUUID();
    const first = db.dataSource.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    try {
      await insertStockOrder(first.manager, orderId, 'RESERVED');
      // Waiting on the first's uncommitted key or starting after its commit, the second fails on the key.
      const second = db.dataSource.transaction((manager) => insertStockOrder(manager, orderId, 'CANCELLED'));
      const failure = second.catch((error: unknown) => error);
      await first.commitTransaction();

      const error = classifyPostgresError(await failure);
      expect(error).toBeInstanceOf(HandlerError);
      expect(error).toMatchObject({ code: 'STOCK_ORDER_INSERTED_CONCURRENTLY', retriable: true });
      expect(isRetriable(error)).toBe(true);
    } finally {
      await first.release();
    }
    expect(
      await db.dataSource.query('SELECT status FROM stock_orders WHERE order_id = $1', [orderId]),
    ).toEqual([{ status: 'RESERVED' }]);

    // A status the CHECK refuses is a data error like any other: not retriable.
    const invalid = await db.dataSource
      .transaction((manager) => insertStockOrder(manager, randomUUID(), 'LOST' as never))
      .catch((e: unknown) => e);
    expect(isRetriable(classifyPostgresError(invalid))).toBe(false);
  });
});
