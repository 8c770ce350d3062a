/**
 * The order saga as an orchestration (`SAGA_MODE=orchestration`), as data: orders sends each step's command
 * to its participant's command topic and moves on when the participant's reply arrives (the events
 * payments and inventory publish in the choreography too). The state machine, the persistence and the
 * diagram are the messaging library's (libs/messaging/src/saga); docs/saga.md embeds the diagram that
 * `npm run saga:diagram` generates from these definitions.
 *
 * Two sagas:
 * - `order-fulfilment`, per placed order: authorize the payment, then reserve the stock. A declined payment
 *   rejects the order; a rejected reservation cancels it (out of stock) and refunds the payment. A step
 *   with no reply after its retries cancels the order (`deadline`) and undoes that step too, since its
 *   participant may still act on the command (the compensation follows the command on the same partition).
 * - `order-cancellation`, when a customer cancels a confirmed order: release the stock, then refund.
 *
 * Timing: each fulfilment step gets SAGA_DEADLINE_MS in all, sent `1 + retries` times, so an order whose
 * participant does not answer is cancelled after that deadline, as in the choreography. A compensation
 * must succeed in the end: it is sent again every SAGA_DEADLINE_MS, 20 times, before its saga is `stuck`.
 */
import {
  authorizePaymentCommand,
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  paymentRefundedEvent,
  refundPaymentCommand,
  releaseStockCommand,
  reserveStockCommand,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
  type AuthorizePayment,
  type PaymentRefundReason,
  type RefundPayment,
  type ReleaseStock,
  type ReserveStock,
} from '@orderstream/contracts';
import { defineSaga, type SagaDefinition, type SagaFailure } from '@orderstream/messaging';

/** What the order sagas carry: the order as placed. */
export interface OrderSagaData {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  items: { sku: string; quantity: number }[];
}

export interface OrderSagaTiming {
  /** SAGA_DEADLINE_MS: how long a step may take in all before the order is cancelled. */
  deadlineMs: number;
}

/** Sends of a step's command before it times out for good (the first and the retries). */
export const STEP_SENDS = 3;
/** Sends of a compensation before its saga is stuck. */
export const COMPENSATION_SENDS = 21;

const authorize = (o: OrderSagaData) => ({
  type: authorizePaymentCommand.type,
  payload: {
    orderId: o.orderId,
    customerId: o.customerId,
    amountCents: o.amountCents,
    currency: o.currency,
    items: o.items,
  } satisfies AuthorizePayment,
});

const refund = (o: OrderSagaData, reason: PaymentRefundReason) => ({
  type: refundPaymentCommand.type,
  payload: {
    orderId: o.orderId,
    customerId: o.customerId,
    currency: o.currency,
    reason,
  } satisfies RefundPayment,
});

const reserve = (o: OrderSagaData) => ({
  type: reserveStockCommand.type,
  payload: { orderId: o.orderId, items: o.items } satisfies ReserveStock,
});

const release = (o: OrderSagaData) => ({
  type: releaseStockCommand.type,
  payload: { orderId: o.orderId } satisfies ReleaseStock,
});

/** Why the payment is given back: the stock was short, or anything else ended the order. */
const refundReasonOf = (failure: SagaFailure | undefined): PaymentRefundReason =>
  failure?.reason === stockRejectedEvent.type ? 'out-of-stock' : 'order-cancelled';

export function orderFulfilmentSaga({ deadlineMs }: OrderSagaTiming): SagaDefinition<OrderSagaData> {
  const step = { timeoutMs: Math.ceil(deadlineMs / STEP_SENDS), retries: STEP_SENDS - 1 };
  const compensation = { timeoutMs: deadlineMs, retries: COMPENSATION_SENDS - 1 };
  return defineSaga<OrderSagaData>({
    name: 'order-fulfilment',
    steps: [
      {
        name: 'AuthorizePayment',
        participant: 'payments',
        action: authorize,
        successOn: [paymentAuthorizedEvent.type],
        failureOn: [paymentDeclinedEvent.type],
        compensation: {
          command: (o, failure) => refund(o, refundReasonOf(failure)),
          doneOn: [paymentRefundedEvent.type],
          ...compensation,
        },
        ...step,
      },
      {
        name: 'ReserveStock',
        participant: 'inventory',
        action: reserve,
        successOn: [stockReservedEvent.type],
        failureOn: [stockRejectedEvent.type],
        compensation: { command: release, doneOn: [stockReleasedEvent.type], ...compensation },
        ...step,
      },
    ],
  });
}

export function orderCancellationSaga({ deadlineMs }: OrderSagaTiming): SagaDefinition<OrderSagaData> {
  // Neither step can fail (a participant with nothing to give back answers so), so neither is undone.
  const step = { timeoutMs: deadlineMs, retries: COMPENSATION_SENDS - 1 };
  return defineSaga<OrderSagaData>({
    name: 'order-cancellation',
    steps: [
      {
        name: 'ReleaseStock',
        participant: 'inventory',
        action: release,
        successOn: [stockReleasedEvent.type],
        failureOn: [],
        ...step,
      },
      {
        name: 'RefundPayment',
        participant: 'payments',
        action: (o) => refund(o, 'order-cancelled'),
        successOn: [paymentRefundedEvent.type],
        failureOn: [],
        ...step,
      },
    ],
  });
}

/** The cancellation saga's instance id: one per order, beside the fulfilment's (the order id). */
export const cancellationSagaId = (orderId: string) => `${orderId}/cancellation`;
