/**
 * Stage 1 of the processor, keyed by order (orders.events' own partitioning): which orders are confirmed,
 * and what each confirmation or later cancellation changes per SKU. `OrderConfirmed` is thin, so the lines
 * come from the order's `OrderPlaced`, kept in the store until the order ends. Pure: the store value in, the
 * new value and the SKU deltas out.
 *
 * An order's value stays in the store (as `ended`) after it ends, so a late duplicate of any of its events
 * (the relay publishes at least once) changes nothing: the state, not a message id, makes this idempotent.
 */

/** The store value of one order (JSON: it is what the changelog holds). */
export type OrderProgress =
  | { status: 'placed'; currency: string; lines: [sku: string, quantity: number, unitPriceCents: number][] }
  | {
      status: 'confirmed';
      currency: string;
      lines: [sku: string, quantity: number, unitPriceCents: number][];
      /** The start of the minute the order was confirmed in (epoch ms): its window. */
      windowStart: number;
    }
  | { status: 'ended' };

/** What one order adds to (or, cancelled after confirmation, takes from) one SKU's sales. */
export interface SkuDelta {
  sku: string;
  orderId: string;
  units: number;
  revenueCents: number;
  currency: string;
  /** +1 for a confirmation, −1 for a cancellation: the SKU's count of confirmed orders. */
  orders: number;
  /** The window the order counts in: the minute of its confirmation. */
  windowStart: number;
  /** When it happened (the event's time), epoch ms. */
  at: number;
}

export type OrderEvent =
  | {
      kind: 'placed';
      orderId: string;
      currency: string;
      lines: readonly { sku: string; quantity: number; unitPriceCents: number }[];
    }
  | { kind: 'confirmed' | 'rejected' | 'cancelled'; orderId: string };

export interface OrderStep {
  /** The order's new value; undefined when the event changes nothing. */
  next?: OrderProgress;
  deltas: SkuDelta[];
  /** A confirmation or cancellation for an order whose OrderPlaced was never read. */
  unmatched?: true;
}

const MINUTE_MS = 60_000;

export function windowStartOf(at: number): number {
  return at - (((at % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** One delta per SKU of the order: lines of the same SKU are summed. */
function deltasOf(
  orderId: string,
  order: Extract<OrderProgress, { status: 'confirmed' }>,
  sign: 1 | -1,
  at: number,
): SkuDelta[] {
  const bySku = new Map<string, SkuDelta>();
  for (const [sku, quantity, unitPriceCents] of order.lines) {
    const delta = bySku.get(sku) ?? {
      sku,
      orderId,
      units: 0,
      revenueCents: 0,
      currency: order.currency,
      orders: sign,
      windowStart: order.windowStart,
      at,
    };
    delta.units += sign * quantity;
    delta.revenueCents += sign * quantity * unitPriceCents;
    bySku.set(sku, delta);
  }
  return [...bySku.values()];
}

/** What an order event does to the order's progress, at `at` (the event's time). */
export function stepOrder(current: OrderProgress | undefined, event: OrderEvent, at: number): OrderStep {
  switch (event.kind) {
    case 'placed':
      if (current) return { deltas: [] }; // a duplicate, or a placement after the order ended
      return {
        next: {
          status: 'placed',
          currency: event.currency,
          lines: event.lines.map((l) => [l.sku, l.quantity, l.unitPriceCents]),
        },
        deltas: [],
      };
    case 'confirmed': {
      if (!current) return { deltas: [], unmatched: true };
      if (current.status !== 'placed') return { deltas: [] };
      const confirmed = { ...current, status: 'confirmed' as const, windowStart: windowStartOf(at) };
      return { next: confirmed, deltas: deltasOf(event.orderId, confirmed, 1, at) };
    }
    case 'rejected':
      if (current?.status !== 'placed') return { deltas: [] };
      return { next: { status: 'ended' }, deltas: [] };
    case 'cancelled':
      if (!current) return { deltas: [], unmatched: true };
      if (current.status === 'placed') return { next: { status: 'ended' }, deltas: [] };
      if (current.status === 'confirmed')
        return { next: { status: 'ended' }, deltas: deltasOf(event.orderId, current, -1, at) };
      return { deltas: [] };
  }
}
