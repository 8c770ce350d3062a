/**
 * The inventory service in-process against real Kafka, registry and PostgreSQL: PaymentAuthorized and
 * OrderCancelled are published to the real topics as the other services' relay would, and the test
 * asserts the exact stock, reservations and outbox rows (topic, key, ce_type, decoded payload). Each test
 * owns its SKUs (unique names, inserted here) and its orders (random UUIDs).
 */
import { randomUUID } from 'node:crypto';
import {
  orderCancelledEvent,
  paymentAuthorizedEvent,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
  type PaidItem,
  type PaymentAuthorized,
} from '@orderstream/contracts';
import { METRICS_REGISTRY } from '@orderstream/platform';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { uniqueName, waitFor } from '@orderstream/testing';
import type { Registry } from 'prom-client';
import { startInventory } from './test/service-under-test';

describe('inventory service', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startInventory();
  });
  afterAll(() => service?.close());

  async function sku(units: number): Promise<string> {
    const name = uniqueName('SKU-TEST').toUpperCase();
    await service.dataSource.query('INSERT INTO stock_items (sku, available) VALUES ($1, $2)', [name, units]);
    return name;
  }

  function payment(items: PaidItem[]): PaymentAuthorized {
    return { orderId: randomUUID(), customerId: 'customer-1', amountCents: 1_000, currency: 'EUR', items };
  }

  async function stock(...skus: string[]) {
    return (await service.dataSource.query(
      'SELECT sku, available, reserved FROM stock_items WHERE sku = ANY($1) ORDER BY sku',
      [skus],
    )) as { sku: string; available: number; reserved: number }[];
  }

  async function reservations(orderId: string) {
    return (await service.dataSource.query(
      'SELECT sku, quantity, status FROM reservations WHERE order_id = $1 ORDER BY sku',
      [orderId],
    )) as { sku: string; quantity: number; status: string }[];
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `inventory to handle ${ids.length} message(s)`,
      timeoutMs: 60_000,
    });
  }

  async function refused(command: string, from: string): Promise<number> {
    const registry = service.app.get<Registry>(METRICS_REGISTRY);
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'inventory_refused_transitions_total',
    );
    return metric?.values.find((v) => v.labels.command === command && v.labels.from === from)?.value ?? 0;
  }

  it('reserves every line of a paid order', async () => {
    const [mug, tee] = [await sku(5), await sku(3)] as [string, string];
    const paid = payment([
      { sku: mug, quantity: 2 },
      { sku: tee, quantity: 3 },
    ]);
    const published = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([published.envelope.id]);

    expect(await stock(mug, tee)).toEqual(
      [
        { sku: mug, available: 3, reserved: 2 },
        { sku: tee, available: 0, reserved: 3 },
      ].sort((a, b) => a.sku.localeCompare(b.sku)),
    );
    expect(await reservations(paid.orderId)).toEqual(
      [
        { sku: mug, quantity: 2, status: 'RESERVED' },
        { sku: tee, quantity: 3, status: 'RESERVED' },
      ].sort((a, b) => a.sku.localeCompare(b.sku)),
    );
    expect(await service.outboxOf(paid.orderId)).toEqual([
      {
        topic: stockReservedEvent.topic,
        key: paid.orderId,
        type: stockReservedEvent.type,
        data: {
          orderId: paid.orderId,
          lines: [
            { sku: mug, quantity: 2 },
            { sku: tee, quantity: 3 },
          ],
        },
      },
    ]);
  });

  it('rejects the whole order naming the first short SKU, and reserves nothing', async () => {
    const [plenty, short] = [await sku(10), await sku(1)] as [string, string];
    const paid = payment([
      { sku: plenty, quantity: 4 },
      { sku: short, quantity: 2 },
    ]);
    const published = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([published.envelope.id]);

    expect(await stock(plenty, short)).toEqual(
      [
        { sku: plenty, available: 10, reserved: 0 },
        { sku: short, available: 1, reserved: 0 },
      ].sort((a, b) => a.sku.localeCompare(b.sku)),
    );
    expect(await reservations(paid.orderId)).toEqual([]);
    expect(await service.outboxOf(paid.orderId)).toEqual([
      {
        topic: stockRejectedEvent.topic,
        key: paid.orderId,
        type: stockRejectedEvent.type,
        data: { orderId: paid.orderId, sku: short, requested: 2, available: 1 },
      },
    ]);
  });

  it('releases a cancelled order once, although OrderCancelled arrives twice (different ce_ids)', async () => {
    const item = await sku(4);
    const paid = payment([{ sku: item, quantity: 3 }]);
    const reserved = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([reserved.envelope.id]);
    const before = await refused('release', 'RELEASED');

    const cancellation = { orderId: paid.orderId, customerId: paid.customerId, reason: 'customer' as const };
    const first = await service.publisher.publish(orderCancelledEvent, cancellation);
    const second = await service.publisher.publish(orderCancelledEvent, cancellation);
    await handled([first.envelope.id, second.envelope.id]);

    expect(await stock(item)).toEqual([{ sku: item, available: 4, reserved: 0 }]);
    expect(await reservations(paid.orderId)).toEqual([{ sku: item, quantity: 3, status: 'RELEASED' }]);
    expect(await service.outboxOf(paid.orderId)).toEqual([
      {
        topic: stockReservedEvent.topic,
        key: paid.orderId,
        type: stockReservedEvent.type,
        data: { orderId: paid.orderId, lines: [{ sku: item, quantity: 3 }] },
      },
      {
        topic: stockReleasedEvent.topic,
        key: paid.orderId,
        type: stockReleasedEvent.type,
        data: { orderId: paid.orderId, lines: [{ sku: item, quantity: 3 }] },
      },
    ]);
    expect((await refused('release', 'RELEASED')) - before).toBe(1);
  });

  it('reserves nothing for a payment that arrives after its order was cancelled', async () => {
    const item = await sku(4);
    const paid = payment([{ sku: item, quantity: 1 }]);
    const cancelled = await service.publisher.publish(orderCancelledEvent, {
      orderId: paid.orderId,
      customerId: paid.customerId,
      reason: 'deadline',
    });
    await handled([cancelled.envelope.id]);
    const late = await service.publisher.publish(paymentAuthorizedEvent, paid);
    await handled([late.envelope.id]);

    expect(await stock(item)).toEqual([{ sku: item, available: 4, reserved: 0 }]);
    expect(await reservations(paid.orderId)).toEqual([]);
    expect(await service.outboxOf(paid.orderId)).toEqual([]);
  });

  it('never oversells: 50 concurrent orders for a SKU with 10 units give exactly 10 reservations', async () => {
    const limited = await sku(10);
    const payments = Array.from({ length: 50 }, () => payment([{ sku: limited, quantity: 1 }]));
    // One batch, so the orders land together and run concurrently (per-key concurrency: one key per order).
    const published = await service.publisher.publishBatch(
      payments.map((data) => ({ definition: paymentAuthorizedEvent, data })),
    );
    await handled(published.envelopes.map((e) => e.id));

    expect(await stock(limited)).toEqual([{ sku: limited, available: 0, reserved: 10 }]);
    const outcomes = (await service.dataSource.query(
      `SELECT headers->>'ce_type' AS type, count(*)::int AS n FROM messaging_outbox
        WHERE aggregate_id = ANY($1) GROUP BY 1 ORDER BY 1`,
      [payments.map((p) => p.orderId)],
    )) as { type: string; n: number }[];
    expect(outcomes).toEqual(
      [
        { type: stockRejectedEvent.type, n: 40 },
        { type: stockReservedEvent.type, n: 10 },
      ].sort((a, b) => a.type.localeCompare(b.type)),
    );
    const [held] = (await service.dataSource.query(
      `SELECT count(*)::int AS orders, sum(quantity)::int AS units FROM reservations WHERE sku = $1 AND status = 'RESERVED'`,
      [limited],
    )) as { orders: number; units: number }[];
    expect(held).toEqual({ orders: 10, units: 10 });
  });

  it('serves stock levels over HTTP, with problem+json for what it cannot', async () => {
    const item = await sku(7);
    const one = await fetch(`${service.baseUrl}/stock/${item}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ sku: item, available: 7, reserved: 0, version: 1, withdrawn: false });

    const all = (await (await fetch(`${service.baseUrl}/stock`)).json()) as { sku: string }[];
    expect(all).toEqual(
      expect.arrayContaining([
        { sku: 'SKU-LIMITED', available: 10, reserved: 0, version: 1, withdrawn: false },
      ]),
    );
    expect(all.map((s) => s.sku)).toEqual([...all.map((s) => s.sku)].sort());

    const missing = await fetch(`${service.baseUrl}/stock/SKU-NONE-SUCH`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({
      type: 'urn:orderstream:problem:sku-not-found',
      status: 404,
      sku: 'SKU-NONE-SUCH',
    });

    const invalid = await fetch(`${service.baseUrl}/stock/not-a-sku`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'path:sku', message: expect.any(String) }],
    });

    const docs = (await (await fetch(`${service.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/stock', '/stock/{sku}']));
  });
});
