/**
 * inventory's stock levels as event-carried state, against real Kafka, registry and PostgreSQL: the
 * compacted `inventory.stock-levels` it owns, and the exact `StockLevelChanged` / `StockLevelWithdrawn`
 * outbox rows each change writes in its own transaction (the relay publishes them; orders replicates them).
 * Each test owns its SKUs (unique names) and orders (random UUIDs).
 */
import { randomUUID } from 'node:crypto';
import {
  orderCancelledEvent,
  paymentAuthorizedEvent,
  stockLevelChangedEvent,
  stockLevelWithdrawnEvent,
  stockRejectedEvent,
  Topics,
  type PaymentAuthorized,
} from '@orderstream/contracts';
import { namespacedKafkaClient } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { startInventory } from '../test/service-under-test';

describe('inventory stock levels on inventory.stock-levels', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startInventory();
  });
  afterAll(() => service?.close());

  /** A SKU of the test's own, inserted by hand (version 1, never announced). */
  async function sku(units: number): Promise<string> {
    const name = uniqueName('SKU-LEVEL').toUpperCase();
    await service.dataSource.query('INSERT INTO stock_items (sku, available) VALUES ($1, $2)', [name, units]);
    return name;
  }

  /** The stock-level rows of the outbox for one SKU, oldest first, as (type, data, causation). */
  async function levelsOf(sku: string) {
    const entries = await service.outboxEntriesOf(sku);
    return entries.map((entry) => ({
      topic: entry.topic,
      key: entry.key,
      type: entry.type,
      data: entry.data,
      causationId: entry.headers['causation-id'] ?? null,
    }));
  }

  function payment(sku: string, quantity: number): PaymentAuthorized {
    return {
      orderId: randomUUID(),
      customerId: 'customer-1',
      amountCents: 1_000,
      currency: 'EUR',
      items: [{ sku, quantity }],
    };
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `inventory to handle ${ids.length} message(s)`,
      timeoutMs: 60_000,
    });
  }

  it('creates inventory.stock-levels at boot as the manifest declares it: compacted, kept forever, 3 partitions', async () => {
    const admin = namespacedKafkaClient(
      createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'stock-levels-test' }),
      service.namespace,
    ).admin();
    await admin.connect();
    try {
      expect(await admin.fetchPartitionCounts([Topics.stockLevels])).toEqual({ [Topics.stockLevels]: 3 });
      expect(await admin.fetchTopicConfigs([Topics.stockLevels], ['cleanup.policy', 'retention.ms'])).toEqual(
        {
          [Topics.stockLevels]: { 'cleanup.policy': 'compact', 'retention.ms': '-1' },
        },
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('announced the seeded stock at boot, once per SKU, and nothing is left unannounced', async () => {
    expect(await levelsOf('SKU-LIMITED')).toEqual([
      {
        topic: Topics.stockLevels,
        key: 'SKU-LIMITED',
        type: stockLevelChangedEvent.type,
        data: { sku: 'SKU-LIMITED', available: 10, reserved: 0, version: 1 },
        causationId: null,
      },
    ]);
    const seeded = (await service.dataSource.query(
      `SELECT count(DISTINCT aggregate_id)::int AS skus, count(*)::int AS rows FROM messaging_outbox
        WHERE aggregate_id IN ('SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-TEE-L', 'SKU-POSTER', 'SKU-LIMITED')`,
    )) as { skus: number; rows: number }[];
    expect(seeded).toEqual([{ skus: 6, rows: 6 }]);
  });

  it("announces a reservation's and a release's new level with the next version, caused by the event", async () => {
    const item = await sku(5);
    const paid = payment(item, 2);
    const reserved = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([reserved.envelope.id]);
    const cancelled = await service.publisher.publish(orderCancelledEvent, {
      orderId: paid.orderId,
      customerId: paid.customerId,
      reason: 'customer',
    });
    await handled([cancelled.envelope.id]);

    expect(await levelsOf(item)).toEqual([
      {
        topic: Topics.stockLevels,
        key: item,
        type: stockLevelChangedEvent.type,
        data: { sku: item, available: 3, reserved: 2, version: 2 },
        causationId: reserved.envelope.id,
      },
      {
        topic: Topics.stockLevels,
        key: item,
        type: stockLevelChangedEvent.type,
        data: { sku: item, available: 5, reserved: 0, version: 3 },
        causationId: cancelled.envelope.id,
      },
    ]);
  });

  it('announces nothing for a rejected reservation: no level changed', async () => {
    const item = await sku(1);
    const paid = payment(item, 2);
    const published = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([published.envelope.id]);

    expect((await service.outboxOf(paid.orderId)).map((row) => row.type)).toEqual([stockRejectedEvent.type]);
    expect(await levelsOf(item)).toEqual([]);
  });

  it('sets a level over HTTP, withdraws a SKU with a tombstone, rejects its stock, and puts it back on sale', async () => {
    const item = uniqueName('SKU-LEVEL').toUpperCase();
    const created = await request(service.baseUrl, 'PUT', `/stock/${item}`, { body: { available: 4 } });
    expect(created).toMatchObject({
      status: 200,
      body: { sku: item, available: 4, reserved: 0, version: 1, withdrawn: false },
    });

    const withdrawn = await request(service.baseUrl, 'POST', `/stock/${item}/withdraw`);
    expect(withdrawn.body).toEqual({ sku: item, available: 4, reserved: 0, version: 2, withdrawn: true });
    // Withdrawing again changes nothing and announces nothing.
    expect((await request(service.baseUrl, 'POST', `/stock/${item}/withdraw`)).body).toEqual(withdrawn.body);

    // A withdrawn SKU has nothing to reserve, whatever its count.
    const paid = payment(item, 1);
    const published = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([published.envelope.id]);
    expect(await service.outboxOf(paid.orderId)).toEqual([
      {
        topic: stockRejectedEvent.topic,
        key: paid.orderId,
        type: stockRejectedEvent.type,
        data: { orderId: paid.orderId, sku: item, requested: 1, available: 0 },
      },
    ]);

    const back = await request(service.baseUrl, 'PUT', `/stock/${item}`, { body: { available: 9 } });
    expect(back.body).toEqual({ sku: item, available: 9, reserved: 0, version: 3, withdrawn: false });

    const common = { topic: Topics.stockLevels, key: item, causationId: null };
    expect(await levelsOf(item)).toEqual([
      {
        ...common,
        type: stockLevelChangedEvent.type,
        data: { sku: item, available: 4, reserved: 0, version: 1 },
      },
      { ...common, type: stockLevelWithdrawnEvent.type, data: null },
      {
        ...common,
        type: stockLevelChangedEvent.type,
        data: { sku: item, available: 9, reserved: 0, version: 3 },
      },
    ]);

    const missing = await request(service.baseUrl, 'POST', '/stock/SKU-NONE-SUCH/withdraw');
    expect(missing).toMatchObject({ status: 404, body: { type: 'urn:orderstream:problem:sku-not-found' } });
    const negative = await request(service.baseUrl, 'PUT', `/stock/${item}`, { body: { available: -1 } });
    expect(negative.status).toBe(400);
  });
});
