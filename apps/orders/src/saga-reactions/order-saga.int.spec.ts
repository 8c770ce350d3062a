/**
 * The saga reactions and the customer's cancel against real infrastructure: events published onto the
 * contracts' topics (as the other services' relay would) move orders through the state machine, queue
 * exactly the expected outbox rows, and a late or duplicate event changes nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  orderCancelledEvent,
  orderConfirmedEvent,
  orderPlacedEvent,
  orderRejectedEvent,
  paymentDeclinedEvent,
  stockRejectedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import { waitFor } from '@orderstream/testing';
import type { OrderView } from '../query-orders/order.view';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { startOrders } from '../test/service-under-test';

describe('order saga reactions', () => {
  let orders: ServiceUnderTest;

  beforeAll(async () => {
    orders = await startOrders();
  });
  afterAll(() => orders?.close());

  async function placeOrder(): Promise<OrderView> {
    const response = await request(orders.baseUrl, 'POST', '/orders', {
      body: { customerId: `customer-${randomUUID()}`, items: [{ sku: 'SKU-TEE-M', quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(response.status).toBe(201);
    return response.body as OrderView;
  }

  async function order(id: string): Promise<OrderView> {
    return (await request(orders.baseUrl, 'GET', `/orders/${id}`)).body as OrderView;
  }

  async function outboxTypes(id: string): Promise<string[]> {
    return (await orders.outboxEntriesOf(id)).map((row) => row.type);
  }

  async function illegalTransitions(trigger: string): Promise<number> {
    const text = await (await fetch(`${orders.baseUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('orders_illegal_transitions_total{') && l.includes(`trigger="${trigger}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('confirms on StockReserved and ignores a later duplicate and a late StockRejected', async () => {
    const placed = await placeOrder();
    const reserved = await orders.publisher.publish(
      stockReservedEvent,
      { orderId: placed.id, lines: [{ sku: 'SKU-TEE-M', quantity: 1 }] },
      { source: '/orderstream/inventory' },
    );

    await waitFor(async () => (await order(placed.id)).status === 'CONFIRMED', {
      description: 'the order to be confirmed',
    });
    const outbox = await orders.outboxEntriesOf(placed.id);
    expect(outbox.map((r) => ({ type: r.type, key: r.key, data: r.data }))).toEqual([
      expect.objectContaining({ type: orderPlacedEvent.type }),
      {
        type: orderConfirmedEvent.type,
        key: placed.id,
        data: { orderId: placed.id, customerId: placed.customerId },
      },
    ]);
    expect(outbox[1]?.headers).toMatchObject({ 'causation-id': reserved.envelope.id });

    // The same event again (a redelivery would be absorbed by the inbox; this is a new message) and a
    // contradicting late one: both are illegal from CONFIRMED, counted, and change nothing.
    await orders.publisher.publish(
      stockReservedEvent,
      { orderId: placed.id, lines: [{ sku: 'SKU-TEE-M', quantity: 1 }] },
      { source: '/orderstream/inventory' },
    );
    await orders.publisher.publish(
      stockRejectedEvent,
      { orderId: placed.id, sku: 'SKU-TEE-M', requested: 1, available: 0 },
      { source: '/orderstream/inventory' },
    );
    await waitFor(async () => (await illegalTransitions('stock-rejected')) >= 1, {
      description: 'the late StockRejected to be counted as illegal',
    });
    expect(await illegalTransitions('stock-reserved')).toBeGreaterThanOrEqual(1);
    expect((await order(placed.id)).status).toBe('CONFIRMED');
    expect(await outboxTypes(placed.id)).toEqual([orderPlacedEvent.type, orderConfirmedEvent.type]);
  });

  it('rejects on PaymentDeclined with the payment reason', async () => {
    const placed = await placeOrder();
    await orders.publisher.publish(
      paymentDeclinedEvent,
      { orderId: placed.id, customerId: placed.customerId, reason: 'insufficient-credit' },
      { source: '/orderstream/payments' },
    );
    await waitFor(async () => (await order(placed.id)).status === 'REJECTED', {
      description: 'the order to be rejected',
    });
    const rows = await orders.outboxEntriesOf(placed.id);
    expect(rows.slice(1).map((r) => ({ type: r.type, data: r.data }))).toEqual([
      {
        type: orderRejectedEvent.type,
        data: { orderId: placed.id, customerId: placed.customerId, reason: 'insufficient-credit' },
      },
    ]);
    expect((await order(placed.id)).history.map((h) => [h.status, h.reason])).toEqual([
      ['PENDING', null],
      ['REJECTED', 'insufficient-credit'],
    ]);
  });

  it('cancels with reason out-of-stock on StockRejected', async () => {
    const placed = await placeOrder();
    await orders.publisher.publish(
      stockRejectedEvent,
      { orderId: placed.id, sku: 'SKU-TEE-M', requested: 1, available: 0 },
      { source: '/orderstream/inventory' },
    );
    await waitFor(async () => (await order(placed.id)).status === 'CANCELLED', {
      description: 'the order to be cancelled',
    });
    const rows = await orders.outboxEntriesOf(placed.id);
    expect(rows.slice(1).map((r) => ({ type: r.type, data: r.data }))).toEqual([
      {
        type: orderCancelledEvent.type,
        data: { orderId: placed.id, customerId: placed.customerId, reason: 'out-of-stock' },
      },
    ]);
  });

  it('lets the customer cancel a confirmed order, and only a confirmed one', async () => {
    const pending = await placeOrder();
    const refused = await request(orders.baseUrl, 'POST', `/orders/${pending.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ orderStatus: 'PENDING', orderId: pending.id });
    expect(await outboxTypes(pending.id)).toEqual([orderPlacedEvent.type]);

    await orders.publisher.publish(
      stockReservedEvent,
      { orderId: pending.id, lines: [{ sku: 'SKU-TEE-M', quantity: 1 }] },
      { source: '/orderstream/inventory' },
    );
    await waitFor(async () => (await order(pending.id)).status === 'CONFIRMED', {
      description: 'the order to be confirmed',
    });
    const cancelled = await request(orders.baseUrl, 'POST', `/orders/${pending.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((cancelled.body as OrderView).status).toBe('CANCELLED');
    const rows = await orders.outboxEntriesOf(pending.id);
    expect(rows.map((r) => r.type)).toEqual([
      orderPlacedEvent.type,
      orderConfirmedEvent.type,
      orderCancelledEvent.type,
    ]);
    expect(rows[2]?.data).toEqual({
      orderId: pending.id,
      customerId: pending.customerId,
      reason: 'customer',
    });

    expect((await request(orders.baseUrl, 'POST', `/orders/${pending.id}/cancel`)).status).toBe(409);
    expect((await request(orders.baseUrl, 'POST', `/orders/${randomUUID()}/cancel`)).status).toBe(404);
  });
});
