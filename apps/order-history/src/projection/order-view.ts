/**
 * The order view as a pure function of the events seen for one order, and what it contributes to its
 * customer's summary.
 *
 * Events of one order arrive on three topics (orders, payments, inventory). Kafka orders them within a topic
 * (each is keyed by order id, so one partition per topic), never across topics: `PaymentAuthorized` may be
 * read before the `OrderPlaced` that caused it. So the view is not built by applying each event to the last
 * view in arrival order; it is folded from the *set* of the order's events, each state decided by
 * precedence (a terminal state beats `PENDING`, a refund beats an authorization), and the timeline sorted by
 * a key of the events themselves. The same set gives the same view whatever order it arrived in
 * (order-view.spec.ts feeds every interleaving the topics allow), and a redelivered event, already in the
 * set, changes nothing.
 */

export const ORDER_STATES = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED'] as const;
/** orders' states; `null` while only other contexts' events about the order have been read. */
export type OrderState = (typeof ORDER_STATES)[number];

export const PAYMENT_STATES = ['NONE', 'AUTHORIZED', 'DECLINED', 'REFUNDED'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export const RESERVATION_STATES = ['NONE', 'RESERVED', 'REJECTED', 'RELEASED'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/** One event of an order as the projection keeps it: what it said and where it was read. */
export interface TimelineEvent {
  /** `ce_id`: the event's identity; the timeline holds each once. */
  eventId: string;
  /** `ce_type`, e.g. `orderstream.payments.PaymentAuthorized`. */
  type: string;
  /** `ce_source`, e.g. `/orderstream/payments`. */
  source: string;
  /** `ce_time`, RFC 3339. */
  time: string;
  topic: string;
  partition: number;
  offset: string;
  /** `causation-id`: the event whose handling produced this one, if any. */
  causationId: string | null;
  /** The decoded payload. */
  data: Record<string, unknown>;
}

export interface OrderViewLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderView {
  orderId: string;
  customerId: string | null;
  state: OrderState | null;
  /** Why it was rejected or cancelled, as orders said. */
  stateReason: string | null;
  totalCents: number | null;
  currency: string | null;
  lines: OrderViewLine[];
  /** When orders accepted it (RFC 3339, UTC). */
  placedAt: string | null;
  paymentState: PaymentState;
  /** The decline's or the refund's reason. */
  paymentReason: string | null;
  /** Authorized or refunded amount, in minor units of `currency`. */
  paymentAmountCents: number | null;
  reservationState: ReservationState;
  /** For a rejected reservation: the SKU found short. */
  reservationShortSku: string | null;
  /** Every event of the order, oldest first by `ce_time` (then `ce_id`, so ties sort the same everywhere). */
  timeline: TimelineEvent[];
}

const ORDER_EVENT_STATE: Record<string, OrderState> = {
  'orderstream.orders.OrderPlaced': 'PENDING',
  'orderstream.orders.OrderConfirmed': 'CONFIRMED',
  'orderstream.orders.OrderRejected': 'REJECTED',
  'orderstream.orders.OrderCancelled': 'CANCELLED',
};
const PAYMENT_EVENT_STATE: Record<string, PaymentState> = {
  'orderstream.payments.PaymentAuthorized': 'AUTHORIZED',
  'orderstream.payments.PaymentDeclined': 'DECLINED',
  'orderstream.payments.PaymentRefunded': 'REFUNDED',
};
const RESERVATION_EVENT_STATE: Record<string, ReservationState> = {
  'orderstream.inventory.StockReserved': 'RESERVED',
  'orderstream.inventory.StockRejected': 'REJECTED',
  'orderstream.inventory.StockReleased': 'RELEASED',
};

/**
 * Precedence of each state: the later one in a saga wins, whichever was read first. A saga only moves
 * forward (PENDING → one terminal state; AUTHORIZED → REFUNDED; RESERVED → RELEASED), so the state furthest
 * along is the current one.
 */
const ORDER_RANK: Record<OrderState, number> = { PENDING: 0, CONFIRMED: 1, REJECTED: 1, CANCELLED: 1 };
const PAYMENT_RANK: Record<PaymentState, number> = { NONE: 0, AUTHORIZED: 1, DECLINED: 1, REFUNDED: 2 };
const RESERVATION_RANK: Record<ReservationState, number> = {
  NONE: 0,
  RESERVED: 1,
  REJECTED: 1,
  RELEASED: 2,
};

/** The projection's event types: what its consumer group subscribes to. */
export const PROJECTED_EVENT_TYPES = [
  ...Object.keys(ORDER_EVENT_STATE),
  ...Object.keys(PAYMENT_EVENT_STATE),
  ...Object.keys(RESERVATION_EVENT_STATE),
];

/** Sort key of the timeline: the events' own time, then id; never the order they were read in. */
export function compareTimelineEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** The view of one order from the set of its events (each once; duplicates by `eventId` are dropped). */
export function foldOrderView(orderId: string, events: readonly TimelineEvent[]): OrderView {
  const unique = new Map<string, TimelineEvent>();
  for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
  const timeline = [...unique.values()].sort(compareTimelineEvents);

  const view: OrderView = {
    orderId,
    customerId: null,
    state: null,
    stateReason: null,
    totalCents: null,
    currency: null,
    lines: [],
    placedAt: null,
    paymentState: 'NONE',
    paymentReason: null,
    paymentAmountCents: null,
    reservationState: 'NONE',
    reservationShortSku: null,
    timeline,
  };
  // Ties in rank cannot happen within one saga (one terminal event per order, one payment outcome); if a
  // producer ever sent two, the timeline's order decides, which is the same everywhere.
  for (const event of timeline) {
    const data = event.data;
    const customerId = stringOf(data['customerId']);
    if (customerId !== null && view.customerId === null) view.customerId = customerId;

    const orderState = ORDER_EVENT_STATE[event.type];
    if (orderState !== undefined) {
      if (event.type === 'orderstream.orders.OrderPlaced') {
        view.totalCents = numberOf(data['totalCents']);
        view.currency = stringOf(data['currency']);
        view.placedAt = instantOf(data['placedAt']);
        view.lines = linesOf(data['lines']);
        if (customerId !== null) view.customerId = customerId;
      }
      if (view.state === null || ORDER_RANK[orderState] >= ORDER_RANK[view.state]) {
        view.state = orderState;
        view.stateReason = stringOf(data['reason']);
      }
      continue;
    }
    const paymentState = PAYMENT_EVENT_STATE[event.type];
    if (paymentState !== undefined) {
      if (PAYMENT_RANK[paymentState] >= PAYMENT_RANK[view.paymentState]) {
        view.paymentState = paymentState;
        view.paymentReason = stringOf(data['reason']);
        const amount = numberOf(data['amountCents']);
        if (amount !== null) view.paymentAmountCents = amount;
      }
      continue;
    }
    const reservationState = RESERVATION_EVENT_STATE[event.type];
    if (
      reservationState !== undefined &&
      RESERVATION_RANK[reservationState] >= RESERVATION_RANK[view.reservationState]
    ) {
      view.reservationState = reservationState;
      view.reservationShortSku = reservationState === 'REJECTED' ? stringOf(data['sku']) : null;
    }
  }
  return view;
}

/** What one order adds to its customer's summary: nothing until the order and its customer are known. */
export interface CustomerContribution {
  customerId: string;
  state: OrderState;
  currency: string | null;
  /** The order's total when confirmed (money the customer spent), else 0. */
  spentCents: number;
  refunds: number;
  refundedCents: number;
}

export function contributionOf(view: OrderView): CustomerContribution | null {
  if (view.customerId === null || view.state === null) return null;
  const refunded = view.paymentState === 'REFUNDED';
  return {
    customerId: view.customerId,
    state: view.state,
    currency: view.currency,
    spentCents: view.state === 'CONFIRMED' ? (view.totalCents ?? 0) : 0,
    refunds: refunded ? 1 : 0,
    refundedCents: refunded ? (view.paymentAmountCents ?? 0) : 0,
  };
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `timestamp-millis` (a number, or a Date from a codec that maps logical types) as RFC 3339 UTC. */
function instantOf(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value)).toISOString();
  return typeof value === 'string' ? value : null;
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function linesOf(value: unknown): OrderViewLine[] {
  if (!Array.isArray(value)) return [];
  return value.map((line: Record<string, unknown>) => ({
    sku: stringOf(line['sku']) ?? '',
    quantity: numberOf(line['quantity']) ?? 0,
    unitPriceCents: numberOf(line['unitPriceCents']) ?? 0,
  }));
}
