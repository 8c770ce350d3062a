/**
 * orders' replica of inventory's stock levels, against real Kafka, registry and PostgreSQL: levels and
 * tombstones are published to `inventory.stock-levels` as inventory's relay would, and the test asserts
 * the replica row for row (`GET /stock-levels`), what `POST /orders` answers from it, and how much a restart
 * reads. Each test runs orders in a namespace and a database of its own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  stockLevelChangedEvent,
  stockLevelWithdrawnEvent,
  type StockLevelChanged,
} from '@orderstream/contracts';
import { event } from '@orderstream/messaging';
import { METRICS_REGISTRY } from '@orderstream/platform';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, testInfrastructure, waitFor } from '@orderstream/testing';
import type { Registry } from 'prom-client';
import { ordersDataSourceOptions } from '../database';
import { DEMO_STOCK_LEVELS, startOrders } from '../test/service-under-test';
import type { ReplicatedStockLevel } from './stock-replica.controller';

const level = (sku: string, available: number, reserved: number, version: number): StockLevelChanged => ({
  sku,
  available,
  reserved,
  version,
});

async function replicaOf(service: ServiceUnderTest): Promise<[string, number, number, number][]> {
  const response = await request(service.baseUrl, 'GET', '/stock-levels');
  expect(response.status).toBe(200);
  return (response.body as ReplicatedStockLevel[]).map((l) => [l.sku, l.available, l.reserved, l.version]);
}

/** Records the replica's group has handled since this process started (the succeeded counter). */
async function replicated(service: ServiceUnderTest): Promise<number> {
  const registry = service.app.get<Registry>(METRICS_REGISTRY);
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'messaging_messages_succeeded_total',
  );
  return (metric?.values ?? [])
    .filter((v) => v.labels.group === 'orders-stock-replica')
    .reduce((sum, v) => sum + v.value, 0);
}

describe("orders' stock replica", () => {
  it('converges on a fresh start: reads the compacted topic from the beginning, keeps the newest version, forgets withdrawn SKUs', async () => {
    const orders = await startOrders({
      stockEvents: [
        ...DEMO_STOCK_LEVELS.map((l) => event(stockLevelChangedEvent, l)),
        // A SKU's history, newest last; and a redelivered older level after a newer one.
        event(stockLevelChangedEvent, level('SKU-RED-MUG', 998, 2, 2)),
        event(stockLevelChangedEvent, level('SKU-RED-MUG', 995, 5, 3)),
        event(stockLevelChangedEvent, level('SKU-RED-MUG', 998, 2, 2)),
        // Withdrawn: its tombstone comes after its levels, so the replica must not hold it.
        event(stockLevelChangedEvent, level('SKU-POSTER', 150, 50, 9)),
        event(stockLevelWithdrawnEvent, { sku: 'SKU-POSTER' }),
      ],
    });
    try {
      // startOrders waited for readiness, which waits for the replica to reach the log end seen at boot.
      expect(await replicaOf(orders)).toEqual([
        ['SKU-BLUE-MUG', 1000, 0, 1],
        ['SKU-LIMITED', 10, 0, 1],
        ['SKU-RED-MUG', 995, 5, 3],
        ['SKU-TEE-L', 500, 0, 1],
        ['SKU-TEE-M', 500, 0, 1],
      ]);
      const ready = await request(orders.baseUrl, 'GET', '/health/ready');
      expect(ready.body).toMatchObject({ details: { 'stock-replica': { status: 'up', caughtUp: true } } });
    } finally {
      await orders.close();
    }
  });

  it('refuses with 422 stock-unavailable an order for a withdrawn or sold-out SKU, stores nothing, and takes one for more than it shows', async () => {
    const orders = await startOrders();
    try {
      await orders.publisher.publishBatch([
        event(stockLevelWithdrawnEvent, { sku: 'SKU-POSTER' }),
        event(stockLevelChangedEvent, level('SKU-TEE-L', 0, 500, 2)),
        event(stockLevelChangedEvent, level('SKU-LIMITED', 1, 9, 2)),
      ]);
      await waitFor(
        async () => {
          const replica = await replicaOf(orders);
          return (
            !replica.some(([sku]) => sku === 'SKU-POSTER') &&
            replica.some((l) => l[0] === 'SKU-LIMITED' && l[3] === 2)
          );
        },
        { description: 'the replica to apply the tombstone and the new levels' },
      );
      const [before] = (await orders.dataSource.query('SELECT count(*)::int AS n FROM orders')) as {
        n: number;
      }[];

      const refused = await request(orders.baseUrl, 'POST', '/orders', {
        headers: { 'idempotency-key': randomUUID() },
        body: {
          customerId: 'customer-1',
          items: [
            { sku: 'SKU-RED-MUG', quantity: 1 },
            { sku: 'SKU-POSTER', quantity: 1 },
            { sku: 'SKU-TEE-L', quantity: 1 },
          ],
        },
      });
      expect(refused.status).toBe(422);
      expect(refused.contentType).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        type: 'urn:orderstream:problem:stock-unavailable',
        status: 422,
        errors: [
          { field: 'items[1].sku', message: 'SKU-POSTER is not on sale (unknown to inventory or withdrawn)' },
          { field: 'items[2].sku', message: 'SKU-TEE-L is out of stock' },
        ],
      });
      const [after] = (await orders.dataSource.query('SELECT count(*)::int AS n FROM orders')) as {
        n: number;
      }[];
      expect(after).toEqual(before);
      const [outbox] = (await orders.dataSource.query('SELECT count(*)::int AS n FROM messaging_outbox')) as {
        n: number;
      }[];
      expect(outbox?.n).toBe(0);

      // One unit shown, five asked: the replica may be stale, so the saga decides.
      const taken = await request(orders.baseUrl, 'POST', '/orders', {
        headers: { 'idempotency-key': randomUUID() },
        body: { customerId: 'customer-1', items: [{ sku: 'SKU-LIMITED', quantity: 5 }] },
      });
      expect(taken).toMatchObject({ status: 201, body: { status: 'PENDING' } });
    } finally {
      await orders.close();
    }
  });

  it('resumes from its committed offsets after a restart: it reads only what changed while it was down', async () => {
    const infra = testInfrastructure();
    const namespace = `orders-replica-restart-${randomBytes(4).toString('hex')}`;
    const db = await createMigratedDatabase(
      infra.postgresUrl,
      'orders_replica_restart',
      ordersDataSourceOptions,
    );
    let orders: ServiceUnderTest | undefined;
    try {
      orders = await startOrders({ namespace, database: db.dataSource });
      expect(await replicated(orders)).toBe(DEMO_STOCK_LEVELS.length);
      await orders.close({ keepNamespace: true });

      // Published while orders is down: two new levels.
      orders = await startOrders({
        namespace,
        database: db.dataSource,
        stockEvents: [
          event(stockLevelChangedEvent, level('SKU-TEE-M', 499, 1, 2)),
          event(stockLevelChangedEvent, level('SKU-TEE-L', 498, 2, 2)),
        ],
      });
      await waitFor(async () => (await replicated(orders as ServiceUnderTest)) >= 2, {
        description: 'the restarted replica to read the two new levels',
      });
      expect(await replicated(orders)).toBe(2);
      expect(await replicaOf(orders)).toEqual([
        ['SKU-BLUE-MUG', 1000, 0, 1],
        ['SKU-LIMITED', 10, 0, 1],
        ['SKU-POSTER', 200, 0, 1],
        ['SKU-RED-MUG', 1000, 0, 1],
        ['SKU-TEE-L', 498, 2, 2],
        ['SKU-TEE-M', 499, 1, 2],
      ]);
    } finally {
      await orders?.close();
      await db.dispose();
    }
  });
});
