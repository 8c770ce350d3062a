/**
 * Events of the payments bounded context, on `payments.events`, keyed by order id (a payment belongs to
 * exactly one order, so the order id is its aggregate id on the wire and the saga's events stay in order).
 * Naming, money and reasons: see docs/contracts.md.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.payments.v1';

export const PAYMENT_DECLINE_REASONS = ['insufficient-credit', 'unknown-customer'] as const;
export type PaymentDeclineReason = (typeof PAYMENT_DECLINE_REASONS)[number];

/** Why a payment was refunded: inventory could not reserve the order, or the order was cancelled. */
export const PAYMENT_REFUND_REASONS = ['out-of-stock', 'order-cancelled'] as const;
export type PaymentRefundReason = (typeof PAYMENT_REFUND_REASONS)[number];

// ---------------------------------------------------------------------------------------------------------
// PaymentAuthorized

export const paymentAuthorizedSchema = {
  type: 'record',
  name: 'PaymentAuthorized',
  namespace: NAMESPACE,
  doc:
    "The order's total was reserved against the customer's credit. Carries the order's items so that " +
    'inventory, which reacts to this event, can reserve stock without joining it to OrderPlaced.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    { name: 'amountCents', type: 'long', doc: 'The amount reserved, in minor units of `currency`.' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code, e.g. EUR.' },
    {
      name: 'items',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'PaidItem',
          doc: 'One line of the paid order, as OrderPlaced listed it.',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int' },
          ],
        },
      },
    },
  ],
} as const satisfies RecordSchema;

export interface PaidItem {
  sku: string;
  quantity: number;
}

export interface PaymentAuthorized {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  items: PaidItem[];
}

export const paymentAuthorizedEvent: EventContract<PaymentAuthorized> = {
  type: 'orderstream.payments.PaymentAuthorized',
  topic: Topics.payments,
  schema: paymentAuthorizedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// PaymentDeclined

export const paymentDeclinedSchema = {
  type: 'record',
  name: 'PaymentDeclined',
  namespace: NAMESPACE,
  doc: 'No credit was reserved for the order.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    {
      name: 'reason',
      type: 'string',
      doc:
        'One of: insufficient-credit, unknown-customer. A string, not an enum, so a reason can be added ' +
        'without breaking readers; readers must treat an unknown value as a generic decline.',
    },
  ],
} as const satisfies RecordSchema;

export interface PaymentDeclined {
  orderId: string;
  customerId: string;
  reason: PaymentDeclineReason;
}

export const paymentDeclinedEvent: EventContract<PaymentDeclined> = {
  type: 'orderstream.payments.PaymentDeclined',
  topic: Topics.payments,
  schema: paymentDeclinedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// PaymentRefunded

export const paymentRefundedSchema = {
  type: 'record',
  name: 'PaymentRefunded',
  namespace: NAMESPACE,
  doc: "The credit reserved for the order was given back to the customer (the saga's compensation).",
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    { name: 'amountCents', type: 'long', doc: 'The amount refunded, in minor units of `currency`.' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code, e.g. EUR.' },
    {
      name: 'reason',
      type: 'string',
      doc:
        'One of: out-of-stock, order-cancelled. A string, not an enum, so a reason can be added ' +
        'without breaking readers; readers must treat an unknown value as a generic refund.',
    },
  ],
} as const satisfies RecordSchema;

export interface PaymentRefunded {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  reason: PaymentRefundReason;
}

export const paymentRefundedEvent: EventContract<PaymentRefunded> = {
  type: 'orderstream.payments.PaymentRefunded',
  topic: Topics.payments,
  schema: paymentRefundedSchema,
  key: (event) => event.orderId,
};

/** Every event of the payments context, by record name. */
export const paymentsEvents = {
  PaymentAuthorized: paymentAuthorizedEvent,
  PaymentDeclined: paymentDeclinedEvent,
  PaymentRefunded: paymentRefundedEvent,
} as const;
