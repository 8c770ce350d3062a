/**
 * Events of the orders bounded context, on `orders.events`, keyed by order id.
 *
 * `OrderPlaced` carries the whole order (event-carried state transfer), so payments and inventory never
 * call orders back; the outcome events are thin and carry only what their consumers act on.
 * Naming, money, timestamps and reasons: see docs/contracts.md.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.orders.v1';

/** Why an order was cancelled. A string on the wire, not an Avro enum: see `OrderCancelled.reason`. */
export const ORDER_CANCELLATION_REASONS = ['customer', 'deadline', 'out-of-stock'] as const;
export type OrderCancellationReason = (typeof ORDER_CANCELLATION_REASONS)[number];

/** Why an order was rejected: the payment was declined, for the reason payments gave. */
export const ORDER_REJECTION_REASONS = ['insufficient-credit', 'unknown-customer'] as const;
export type OrderRejectionReason = (typeof ORDER_REJECTION_REASONS)[number];

// ---------------------------------------------------------------------------------------------------------
// OrderPlaced

export const orderPlacedSchema = {
  type: 'record',
  name: 'OrderPlaced',
  namespace: NAMESPACE,
  doc: 'A customer placed an order; the whole order as placed (event-carried state transfer).',
  fields: [
    { name: 'orderId', type: UUID_STRING, doc: 'The order id (a UUID); also the Kafka key.' },
    { name: 'customerId', type: 'string' },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'OrderLine',
          doc: 'One priced line of the order.',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int', doc: 'Units ordered, at least 1.' },
            {
              name: 'unitPriceCents',
              type: 'long',
              doc: 'Price of one unit in minor units of `currency`, as priced when the order was placed.',
            },
          ],
        },
      },
    },
    {
      name: 'totalCents',
      type: 'long',
      doc: 'Sum of quantity x unitPriceCents over the lines, in minor units of `currency`.',
    },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code, e.g. EUR.' },
    {
      name: 'placedAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'When the order was accepted, in milliseconds since the Unix epoch (UTC).',
    },
  ],
} as const satisfies RecordSchema;

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderPlaced {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  totalCents: number;
  /** ISO 4217 alphabetic code. */
  currency: string;
  /** Milliseconds since the Unix epoch. */
  placedAt: number;
}

export const orderPlacedEvent: EventContract<OrderPlaced> = {
  type: 'orderstream.orders.OrderPlaced',
  topic: Topics.orders,
  schema: orderPlacedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// OrderConfirmed

export const orderConfirmedSchema = {
  type: 'record',
  name: 'OrderConfirmed',
  namespace: NAMESPACE,
  doc: 'Payment was authorized and every line reserved: the order is final.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
  ],
} as const satisfies RecordSchema;

export interface OrderConfirmed {
  orderId: string;
  customerId: string;
}

export const orderConfirmedEvent: EventContract<OrderConfirmed> = {
  type: 'orderstream.orders.OrderConfirmed',
  topic: Topics.orders,
  schema: orderConfirmedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// OrderRejected

export const orderRejectedSchema = {
  type: 'record',
  name: 'OrderRejected',
  namespace: NAMESPACE,
  doc: 'The payment was declined: the order ends without anything to compensate.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    {
      name: 'reason',
      type: 'string',
      doc:
        'One of: insufficient-credit, unknown-customer. A string, not an enum, so a reason can be added ' +
        'without breaking readers; readers must treat an unknown value as a generic rejection.',
    },
  ],
} as const satisfies RecordSchema;

export interface OrderRejected {
  orderId: string;
  customerId: string;
  reason: OrderRejectionReason;
}

export const orderRejectedEvent: EventContract<OrderRejected> = {
  type: 'orderstream.orders.OrderRejected',
  topic: Topics.orders,
  schema: orderRejectedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// OrderCancelled

export const orderCancelledSchema = {
  type: 'record',
  name: 'OrderCancelled',
  namespace: NAMESPACE,
  doc: 'The order was cancelled; payments refunds and inventory releases whatever they hold for it.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    {
      name: 'reason',
      type: 'string',
      doc:
        'One of: customer, deadline, out-of-stock. A string, not an enum, so a reason can be added ' +
        'without breaking readers; readers must treat an unknown value as a generic cancellation.',
    },
  ],
} as const satisfies RecordSchema;

export interface OrderCancelled {
  orderId: string;
  customerId: string;
  reason: OrderCancellationReason;
}

export const orderCancelledEvent: EventContract<OrderCancelled> = {
  type: 'orderstream.orders.OrderCancelled',
  topic: Topics.orders,
  schema: orderCancelledSchema,
  key: (event) => event.orderId,
};

/** Every event of the orders context, by record name. */
export const ordersEvents = {
  OrderPlaced: orderPlacedEvent,
  OrderConfirmed: orderConfirmedEvent,
  OrderRejected: orderRejectedEvent,
  OrderCancelled: orderCancelledEvent,
} as const;
