/**
 * The payments service in-process against real Kafka, registry and PostgreSQL: the events it reacts to
 * are published to the real topics as the other services' relay would, and the test asserts the exact
 * database state and the exact outbox rows (topic, key, ce_type, decoded payload) it wrote. Each test
 * owns its customers (unique ids, inserted here) and its orders (random UUIDs).
 */
import { randomUUID } from 'node:crypto';
import {
  orderCancelledEvent,
  orderPlacedEvent,
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  paymentRefundedEvent,
  stockRejectedEvent,
  type OrderPlaced,
} from '@orderstream/contracts';
import { uniqueName, waitFor } from '@orderstream/testing';
import { METRICS_REGISTRY } from '@orderstream/platform';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import type { Registry } from 'prom-client';
import { startPayments } from './test/service-under-test';

describe('payments service', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startPayments();
  });
  afterAll(() => service?.close());

  async function customer(creditLimitCents: number): Promise<string> {
    const customerId = uniqueName('customer');
    await service.dataSource.query(
      'INSERT INTO customer_accounts (customer_id, credit_limit_cents) VALUES ($1, $2)',
      [customerId, creditLimitCents],
    );
    return customerId;
  }

  function order(customerId: string, lines: OrderPlaced['lines']): OrderPlaced {
    return {
      orderId: randomUUID(),
      customerId,
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      currency: 'EUR',
      placedAt: Date.UTC(2026, 0, 1),
    };
  }

  async function account(customerId: string) {
    const [row] = (await service.dataSource.query(
      'SELECT credit_limit_cents::int AS "limit", reserved_cents::int AS reserved FROM customer_accounts WHERE customer_id = $1',
      [customerId],
    )) as { limit: number; reserved: number }[];
    return row;
  }

  async function payment(orderId: string) {
    const [row] = (await service.dataSource.query(
      'SELECT customer_id AS "customerId", amount_cents::int AS "amountCents", currency, status, reason FROM payments WHERE order_id = $1',
      [orderId],
    )) as Record<string, unknown>[];
    return row;
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `payments to handle ${ids.length} message(s)`,
      timeoutMs: 60_000,
    });
  }

  async function refusedTransitions(): Promise<{ labels: object; value: number }[]> {
    const registry = service.app.get<Registry>(METRICS_REGISTRY);
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'payments_refused_transitions_total',
    );
    return (metric?.values ?? []).map((v) => ({ labels: v.labels, value: v.value }));
  }

  it('authorizes an order within the credit limit and passes its items on', async () => {
    const customerId = await customer(10_000);
    const placed = order(customerId, [
      { sku: 'SKU-RED-MUG', quantity: 2, unitPriceCents: 1_250 },
      { sku: 'SKU-POSTER', quantity: 1, unitPriceCents: 500 },
    ]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    expect(await payment(placed.orderId)).toEqual({
      customerId,
      amountCents: 3_000,
      currency: 'EUR',
      status: 'AUTHORIZED',
      reason: null,
    });
    expect(await account(customerId)).toEqual({ limit: 10_000, reserved: 3_000 });
    expect(await service.outboxOf(placed.orderId)).toEqual([
      {
        topic: paymentAuthorizedEvent.topic,
        key: placed.orderId,
        type: paymentAuthorizedEvent.type,
        data: {
          orderId: placed.orderId,
          customerId,
          amountCents: 3_000,
          currency: 'EUR',
          items: [
            { sku: 'SKU-RED-MUG', quantity: 2 },
            { sku: 'SKU-POSTER', quantity: 1 },
          ],
        },
      },
    ]);
  });

  it('declines an order over the available credit and reserves nothing', async () => {
    const customerId = await customer(5_000);
    await service.dataSource.query(
      'UPDATE customer_accounts SET reserved_cents = 4_000 WHERE customer_id = $1',
      [customerId],
    );
    const placed = order(customerId, [{ sku: 'SKU-TEE-M', quantity: 1, unitPriceCents: 1_001 }]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    expect(await payment(placed.orderId)).toEqual({
      customerId,
      amountCents: 1_001,
      currency: 'EUR',
      status: 'DECLINED',
      reason: 'insufficient-credit',
    });
    expect(await account(customerId)).toEqual({ limit: 5_000, reserved: 4_000 });
    expect(await service.outboxOf(placed.orderId)).toEqual([
      {
        topic: paymentDeclinedEvent.topic,
        key: placed.orderId,
        type: paymentDeclinedEvent.type,
        data: { orderId: placed.orderId, customerId, reason: 'insufficient-credit' },
      },
    ]);
  });

  it('declines an order of an unknown customer', async () => {
    const customerId = uniqueName('nobody');
    const placed = order(customerId, [{ sku: 'SKU-TEE-L', quantity: 1, unitPriceCents: 100 }]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    expect(await payment(placed.orderId)).toMatchObject({ status: 'DECLINED', reason: 'unknown-customer' });
    expect(await service.outboxOf(placed.orderId)).toEqual([
      {
        topic: paymentDeclinedEvent.topic,
        key: placed.orderId,
        type: paymentDeclinedEvent.type,
        data: { orderId: placed.orderId, customerId, reason: 'unknown-customer' },
      },
    ]);
  });

  it('refunds exactly once when StockRejected arrives twice (different ce_ids) and the order is then cancelled', async () => {
    const customerId = await customer(10_000);
    const placed = order(customerId, [{ sku: 'SKU-LIMITED', quantity: 3, unitPriceCents: 1_000 }]);
    const placedEvent = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([placedEvent.envelope.id]);
    expect(await account(customerId)).toEqual({ limit: 10_000, reserved: 3_000 });
    const refusedBefore = await refusedTransitions();

    const rejected = { orderId: placed.orderId, sku: 'SKU-LIMITED', requested: 3, available: 1 };
    // Two publishes, two ce_ids: the inbox lets both through; only the payment's state can stop the second.
    const first = await service.publisher.publish(stockRejectedEvent, rejected);
    const second = await service.publisher.publish(stockRejectedEvent, rejected);
    expect(second.envelope.id).not.toBe(first.envelope.id);
    // The cancellation orders sends for the out-of-stock order: a third request to refund the same payment.
    const cancelled = await service.publisher.publish(orderCancelledEvent, {
      orderId: placed.orderId,
      customerId,
      reason: 'out-of-stock',
    });
    await handled([first.envelope.id, second.envelope.id, cancelled.envelope.id]);

    expect(await payment(placed.orderId)).toEqual({
      customerId,
      amountCents: 3_000,
      currency: 'EUR',
      status: 'REFUNDED',
      reason: 'out-of-stock',
    });
    expect(await account(customerId)).toEqual({ limit: 10_000, reserved: 0 });
    expect((await service.outboxOf(placed.orderId)).map((r) => r.type)).toEqual([
      paymentAuthorizedEvent.type,
      paymentRefundedEvent.type,
    ]);
    expect((await service.outboxOf(placed.orderId))[1]).toEqual({
      topic: paymentRefundedEvent.topic,
      key: placed.orderId,
      type: paymentRefundedEvent.type,
      data: {
        orderId: placed.orderId,
        customerId,
        amountCents: 3_000,
        currency: 'EUR',
        reason: 'out-of-stock',
      },
    });
    const refusedAfter = await refusedTransitions();
    const count = (all: { labels: object; value: number }[]) =>
      all.find(
        (v) =>
          JSON.stringify(v.labels) ===
          JSON.stringify({ command: 'refund', from: 'REFUNDED', service: 'payments' }),
      )?.value ?? 0;
    expect(count(refusedAfter) - count(refusedBefore)).toBe(2);
  });

  it('refunds a confirmed order the customer cancels', async () => {
    const customerId = await customer(10_000);
    const placed = order(customerId, [{ sku: 'SKU-BLUE-MUG', quantity: 1, unitPriceCents: 1_500 }]);
    const placedEvent = await service.publisher.publish(orderPlacedEvent, placed);
    const cancelled = await service.publisher.publish(orderCancelledEvent, {
      orderId: placed.orderId,
      customerId,
      reason: 'customer',
    });
    await handled([placedEvent.envelope.id, cancelled.envelope.id]);

    expect(await payment(placed.orderId)).toMatchObject({ status: 'REFUNDED', reason: 'order-cancelled' });
    expect(await account(customerId)).toEqual({ limit: 10_000, reserved: 0 });
    expect(
      (await service.outboxOf(placed.orderId)).map((r) => [r.type, (r.data as { reason?: string }).reason]),
    ).toEqual([
      [paymentAuthorizedEvent.type, undefined],
      [paymentRefundedEvent.type, 'order-cancelled'],
    ]);
  });

  it('never exceeds the credit limit under 20 concurrent orders of one customer', async () => {
    const customerId = await customer(5_000);
    const orders = Array.from({ length: 20 }, () =>
      order(customerId, [{ sku: 'SKU-RED-MUG', quantity: 1, unitPriceCents: 1_000 }]),
    );
    const published = await Promise.all(orders.map((o) => service.publisher.publish(orderPlacedEvent, o)));
    await handled(published.map((p) => p.envelope.id));

    const statuses = (await service.dataSource.query(
      'SELECT status, count(*)::int AS n FROM payments WHERE customer_id = $1 GROUP BY status ORDER BY status',
      [customerId],
    )) as { status: string; n: number }[];
    expect(statuses).toEqual([
      { status: 'AUTHORIZED', n: 5 },
      { status: 'DECLINED', n: 15 },
    ]);
    // The credit invariant: reserved credit = the sum of the customer's AUTHORIZED payments.
    expect(await account(customerId)).toEqual({ limit: 5_000, reserved: 5_000 });
  });

  it('serves credit and payments over HTTP, with problem+json for what it cannot', async () => {
    const customerId = await customer(2_000);
    const placed = order(customerId, [{ sku: 'SKU-TEE-M', quantity: 1, unitPriceCents: 750 }]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    const credit = await fetch(`${service.baseUrl}/customers/${customerId}`);
    expect(credit.status).toBe(200);
    expect(await credit.json()).toEqual({
      customerId,
      creditLimitCents: 2_000,
      reservedCents: 750,
      availableCents: 1_250,
    });
    const seeded = await fetch(`${service.baseUrl}/customers/customer-1`);
    expect(await seeded.json()).toMatchObject({ customerId: 'customer-1', creditLimitCents: 1_000_000 });

    const paid = await fetch(`${service.baseUrl}/payments/${placed.orderId}`);
    expect(await paid.json()).toMatchObject({
      orderId: placed.orderId,
      customerId,
      amountCents: 750,
      currency: 'EUR',
      status: 'AUTHORIZED',
      reason: null,
    });

    const missing = await fetch(`${service.baseUrl}/payments/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({
      type: 'urn:orderstream:problem:payment-not-found',
      status: 404,
    });

    const invalid = await fetch(`${service.baseUrl}/customers/${encodeURIComponent('bad id!')}`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'path:customerId', message: expect.any(String) }],
    });

    const docs = await fetch(`${service.baseUrl}/docs-json`);
    const document = (await docs.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/customers/{customerId}', '/payments/{orderId}']),
    );
  });
});
