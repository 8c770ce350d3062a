/**
 * Test traffic: the events one order's saga produces on the three topics, published as the services' relays
 * would (each with its service's `ce_source`, each caused by the one before), in one of the saga's shapes.
 */
import { inventoryEvents, ordersEvents, paymentsEvents } from '@orderstream/contracts';
import type { Publisher } from '@orderstream/messaging';
import { randomUUID } from 'node:crypto';

export const SAGA_SHAPES = ['confirmed', 'declined', 'out-of-stock', 'cancelled'] as const;
export type SagaShape = (typeof SAGA_SHAPES)[number];

/** Events each shape publishes (the order view's event count once all are read). */
export const EVENTS_PER_SHAPE: Record<SagaShape, number> = {
  confirmed: 4,
  declined: 3,
  'out-of-stock': 5,
  cancelled: 6,
};

export interface PublishedSaga {
  orderId: string;
  customerId: string;
  shape: SagaShape;
  events: number;
}

export async function publishSaga(
  publisher: Publisher,
  customerId: string,
  shape: SagaShape,
  orderId: string = randomUUID(),
): Promise<PublishedSaga> {
  const lines = [{ sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 }];
  const items = [{ sku: 'SKU-RED', quantity: 2 }];
  const from = (service: string) => ({ source: `/orderstream/${service}` });
  const placed = await publisher.publish(
    ordersEvents.OrderPlaced,
    { orderId, customerId, lines, totalCents: 2_500, currency: 'EUR', placedAt: Date.now() },
    from('orders'),
  );
  const cause = (published: { envelope: { id: string; correlationId: string } }) => ({
    causedBy: published.envelope,
  });
  if (shape === 'declined') {
    const declined = await publisher.publish(
      paymentsEvents.PaymentDeclined,
      { orderId, customerId, reason: 'insufficient-credit' },
      { ...from('payments'), ...cause(placed) },
    );
    await publisher.publish(
      ordersEvents.OrderRejected,
      { orderId, customerId, reason: 'insufficient-credit' },
      { ...from('orders'), ...cause(declined) },
    );
    return { orderId, customerId, shape, events: EVENTS_PER_SHAPE[shape] };
  }
  const authorized = await publisher.publish(
    paymentsEvents.PaymentAuthorized,
    { orderId, customerId, amountCents: 2_500, currency: 'EUR', items },
    { ...from('payments'), ...cause(placed) },
  );
  if (shape === 'out-of-stock') {
    const rejected = await publisher.publish(
      inventoryEvents.StockRejected,
      { orderId, sku: 'SKU-RED', requested: 2, available: 0 },
      { ...from('inventory'), ...cause(authorized) },
    );
    const cancelled = await publisher.publish(
      ordersEvents.OrderCancelled,
      { orderId, customerId, reason: 'out-of-stock' },
      { ...from('orders'), ...cause(rejected) },
    );
    await publisher.publish(
      paymentsEvents.PaymentRefunded,
      { orderId, customerId, amountCents: 2_500, currency: 'EUR', reason: 'out-of-stock' },
      { ...from('payments'), ...cause(cancelled) },
    );
    return { orderId, customerId, shape, events: EVENTS_PER_SHAPE[shape] };
  }
  const reserved = await publisher.publish(
    inventoryEvents.StockReserved,
    { orderId, lines: items },
    { ...from('inventory'), ...cause(authorized) },
  );
  if (shape === 'confirmed') {
    await publisher.publish(
      ordersEvents.OrderConfirmed,
      { orderId, customerId },
      { ...from('orders'), ...cause(reserved) },
    );
    return { orderId, customerId, shape, events: EVENTS_PER_SHAPE[shape] };
  }
  const cancelled = await publisher.publish(
    ordersEvents.OrderCancelled,
    { orderId, customerId, reason: 'customer' },
    { ...from('orders'), ...cause(reserved) },
  );
  await publisher.publish(
    inventoryEvents.StockReleased,
    { orderId, lines: items },
    { ...from('inventory'), ...cause(cancelled) },
  );
  await publisher.publish(
    paymentsEvents.PaymentRefunded,
    { orderId, customerId, amountCents: 2_500, currency: 'EUR', reason: 'order-cancelled' },
    { ...from('payments'), ...cause(cancelled) },
  );
  return { orderId, customerId, shape, events: EVENTS_PER_SHAPE[shape] };
}

/** Every event of a generation's timeline, through the served views: the count tests wait for. */
export async function timelineCount(dataSource: { query(sql: string): Promise<unknown> }): Promise<number> {
  const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM order_timeline`)) as { n: number }[];
  return row?.n ?? 0;
}
