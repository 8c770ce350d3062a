/**
 * The saga deadline against real PostgreSQL: an order left PENDING past SAGA_DEADLINE_MS is cancelled
 * with reason `deadline` and one OrderCancelled; a StockReserved arriving after that changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { orderCancelledEvent, orderPlacedEvent, stockReservedEvent } from '@orderstream/contracts';
import { waitFor } from '@orderstream/testing';
import type { OrderView } from '../query-orders/order.view';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { startOrders } from '../test/service-under-test';

describe('saga deadline', () => {
  let orders: ServiceUnderTest;

  beforeAll(async () => {
    orders = await startOrders({ env: { SAGA_DEADLINE_MS: '1500', SAGA_DEADLINE_POLL_MS: '200' } });
  });
  afterAll(() => orders?.close());

  it('cancels an order still pending after the deadline, once, and ignores a late StockReserved', async () => {
    const placed = (
      await request(orders.baseUrl, 'POST', '/orders', {
        body: { customerId: `customer-${randomUUID()}`, items: [{ sku: 'SKU-LIMITED', quantity: 1 }] },
        headers: { 'idempotency-key': randomUUID() },
      })
    ).body as OrderView;
    const status = async () =>
      (await request(orders.baseUrl, 'GET', `/orders/${placed.id}`)).body as OrderView;

    await waitFor(async () => (await status()).status === 'CANCELLED', {
      description: 'the deadline to cancel the order',
      timeoutMs: 15_000,
    });
    const cancelled = await status();
    expect(cancelled.history.map((h) => [h.status, h.reason])).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'deadline'],
    ]);
    expect(Date.parse(cancelled.history[1]?.at ?? '') - Date.parse(placed.placedAt)).toBeGreaterThanOrEqual(
      1500,
    );

    await orders.publisher.publish(
      stockReservedEvent,
      { orderId: placed.id, lines: [{ sku: 'SKU-LIMITED', quantity: 1 }] },
      { source: '/orderstream/inventory' },
    );
    await waitFor(
      async () => {
        const text = await (await fetch(`${orders.baseUrl}/metrics`)).text();
        return /orders_illegal_transitions_total\{[^}]*from="CANCELLED"[^}]*trigger="stock-reserved"[^}]*\} 1/.test(
          text,
        );
      },
      { description: 'the late StockReserved to be counted as illegal' },
    );
    expect((await status()).status).toBe('CANCELLED');
    const rows = await orders.outboxEntriesOf(placed.id);
    expect(rows.map((r) => ({ type: r.type, data: r.data }))).toEqual([
      expect.objectContaining({ type: orderPlacedEvent.type }),
      {
        type: orderCancelledEvent.type,
        data: { orderId: placed.id, customerId: placed.customerId, reason: 'deadline' },
      },
    ]);
  });
});
