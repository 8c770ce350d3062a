/**
 * Commands to the payments context, on `payments.commands`, keyed by order id. Only the orchestrated saga
 * (`SAGA_MODE=orchestration`) sends them: the orders service asks, payments answers with the events it
 * publishes anyway (PaymentAuthorized, PaymentDeclined, PaymentRefunded), each with the command's `ce_id` as
 * its causation id, which is how the orchestrator correlates the reply (docs/saga.md). A command that is
 * sent again after a timeout keeps its `ce_id`, so payments handles it at most once.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import type { PaymentRefundReason } from './payments.events';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.payments.v1';

// ---------------------------------------------------------------------------------------------------------
// AuthorizePayment

export const authorizePaymentSchema = {
  type: 'record',
  name: 'AuthorizePayment',
  namespace: NAMESPACE,
  doc:
    "Reserve the order's total against the customer's credit. The same decision as on OrderPlaced in the " +
    'choreography; the reply is PaymentAuthorized or PaymentDeclined.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    { name: 'amountCents', type: 'long', doc: 'The amount to reserve, in minor units of `currency`.' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code, e.g. EUR.' },
    {
      name: 'items',
      doc: "The order's lines, carried into PaymentAuthorized as in the choreography.",
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ItemToPay',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int' },
          ],
        },
      },
    },
  ],
} as const satisfies RecordSchema;

export interface AuthorizePayment {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  items: { sku: string; quantity: number }[];
}

export const authorizePaymentCommand: EventContract<AuthorizePayment> = {
  type: 'orderstream.payments.AuthorizePayment',
  topic: Topics.paymentCommands,
  schema: authorizePaymentSchema,
  key: (command) => command.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// RefundPayment

export const refundPaymentSchema = {
  type: 'record',
  name: 'RefundPayment',
  namespace: NAMESPACE,
  doc:
    "Give the order's reserved credit back (the saga's compensation). The reply is PaymentRefunded, with " +
    'amountCents 0 when nothing was reserved for the order (declined, or refunded already).',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'customerId', type: 'string' },
    { name: 'currency', type: 'string', doc: "The order's currency, ISO 4217." },
    { name: 'reason', type: 'string', doc: 'One of: out-of-stock, order-cancelled.' },
  ],
} as const satisfies RecordSchema;

export interface RefundPayment {
  orderId: string;
  customerId: string;
  currency: string;
  reason: PaymentRefundReason;
}

export const refundPaymentCommand: EventContract<RefundPayment> = {
  type: 'orderstream.payments.RefundPayment',
  topic: Topics.paymentCommands,
  schema: refundPaymentSchema,
  key: (command) => command.orderId,
};

/** Every command to the payments context, by record name. */
export const paymentsCommands = {
  AuthorizePayment: authorizePaymentCommand,
  RefundPayment: refundPaymentCommand,
} as const;
