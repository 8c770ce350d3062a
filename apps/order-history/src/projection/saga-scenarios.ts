/**
 * The saga's event sequences per topic for one order, as order-history reads them: the material of the
 * convergence tests (every interleaving the topics allow must give one view). Used by the unit test of the
 * fold and by the integration test that applies the same interleavings to PostgreSQL.
 */
import type { TimelineEvent } from './order-view';

export interface SagaScenario {
  name: string;
  /** The events of each topic, in that topic's order. */
  topics: TimelineEvent[][];
}

/** Every merge of the per-topic sequences that keeps each topic's own order. */
export function interleavings<T>(sequences: readonly (readonly T[])[]): T[][] {
  const nonEmpty = sequences.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [[]];
  const result: T[][] = [];
  nonEmpty.forEach((sequence, index) => {
    const [head, ...rest] = sequence as [T, ...T[]];
    const others = nonEmpty.map((s, i) => (i === index ? rest : s));
    for (const tail of interleavings(others)) result.push([head, ...tail]);
  });
  return result;
}

/** The count of interleavings: the multinomial coefficient of the sequence lengths. */
export function interleavingCount(lengths: readonly number[]): number {
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  return lengths.reduce((acc, n) => acc / factorial(n), factorial(lengths.reduce((a, b) => a + b, 0)));
}

/**
 * The saga's four shapes for one order and customer. Event ids and times are derived from `seed` so that
 * each call gives a distinct order (integration tests use one order per interleaving).
 */
export function sagaScenarios(orderId: string, customerId: string, seed = 0): SagaScenario[] {
  let offset = 0;
  const at = (second: number): string => new Date(Date.UTC(2026, 11, 1, 12, 0, second)).toISOString();
  const event = (
    topic: 'orders.events' | 'payments.events' | 'inventory.events',
    type: string,
    second: number,
    data: Record<string, unknown>,
  ): TimelineEvent => {
    const context = type.split('.')[1] as string;
    offset += 1;
    return {
      eventId: `${orderId}-${seed}-${type.split('.').pop()}`,
      type,
      source: `/orderstream/${context}`,
      time: at(second),
      topic,
      partition: 0,
      offset: String(offset),
      causationId: null,
      data: { orderId, ...data },
    };
  };
  const lines = [
    { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 },
    { sku: 'SKU-BLUE', quantity: 1, unitPriceCents: 500 },
  ];
  const placed = event('orders.events', 'orderstream.orders.OrderPlaced', 0, {
    customerId,
    lines,
    totalCents: 3_000,
    currency: 'EUR',
    placedAt: Date.parse(at(0)),
  });
  const authorized = event('payments.events', 'orderstream.payments.PaymentAuthorized', 1, {
    customerId,
    amountCents: 3_000,
    currency: 'EUR',
    items: lines.map(({ sku, quantity }) => ({ sku, quantity })),
  });
  const stockLines = lines.map(({ sku, quantity }) => ({ sku, quantity }));
  return [
    {
      name: 'happy path',
      topics: [
        [placed, event('orders.events', 'orderstream.orders.OrderConfirmed', 3, { customerId })],
        [authorized],
        [event('inventory.events', 'orderstream.inventory.StockReserved', 2, { lines: stockLines })],
      ],
    },
    {
      name: 'payment declined',
      topics: [
        [
          placed,
          event('orders.events', 'orderstream.orders.OrderRejected', 2, {
            customerId,
            reason: 'insufficient-credit',
          }),
        ],
        [
          event('payments.events', 'orderstream.payments.PaymentDeclined', 1, {
            customerId,
            reason: 'insufficient-credit',
          }),
        ],
        [],
      ],
    },
    {
      name: 'out of stock, refunded',
      topics: [
        [
          placed,
          event('orders.events', 'orderstream.orders.OrderCancelled', 3, {
            customerId,
            reason: 'out-of-stock',
          }),
        ],
        [
          authorized,
          event('payments.events', 'orderstream.payments.PaymentRefunded', 4, {
            customerId,
            amountCents: 3_000,
            currency: 'EUR',
            reason: 'out-of-stock',
          }),
        ],
        [
          event('inventory.events', 'orderstream.inventory.StockRejected', 2, {
            sku: 'SKU-RED',
            requested: 2,
            available: 1,
          }),
        ],
      ],
    },
    {
      name: 'cancelled by the customer after the reservation',
      topics: [
        [
          placed,
          event('orders.events', 'orderstream.orders.OrderCancelled', 3, { customerId, reason: 'customer' }),
        ],
        [
          authorized,
          event('payments.events', 'orderstream.payments.PaymentRefunded', 4, {
            customerId,
            amountCents: 3_000,
            currency: 'EUR',
            reason: 'order-cancelled',
          }),
        ],
        [
          event('inventory.events', 'orderstream.inventory.StockReserved', 2, { lines: stockLines }),
          event('inventory.events', 'orderstream.inventory.StockReleased', 4, { lines: stockLines }),
        ],
      ],
    },
  ];
}
