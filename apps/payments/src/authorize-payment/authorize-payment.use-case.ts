/**
 * Use case: an order was placed (OrderPlaced in the choreography, the AuthorizePayment command in the
 * orchestration), so reserve its total against the customer's credit and say so.
 * Runs inside the caller's transaction (the handler's, under effectively-once), so the payment row, the
 * credit reservation and the outgoing event commit together with the inbox row, or not at all. The event
 * is caused by `cause`: the orchestrator correlates its reply by that causation id.
 */
import { Injectable } from '@nestjs/common';
import {
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  type PaymentDeclineReason,
} from '@orderstream/contracts';
import { HandlerError, type Envelope, type Logger } from '@orderstream/messaging';
import { isUniqueViolation, OutboxWriter } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';
import { PAYMENT_AGGREGATE } from '../payment/payment.aggregate';
import { PaymentTransitionsMetrics } from '../payment/payment-transitions.metrics';
import { declineReason, transition, type PaymentStatus } from '../payment/payment.state-machine';
import { CustomerAccounts } from '../customer-account/customer-accounts';

export type AuthorizationOutcome = 'AUTHORIZED' | 'DECLINED' | 'REFUSED';

/** What a payment is asked for: the order's total and lines. */
export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  items: { sku: string; quantity: number }[];
}

@Injectable()
export class AuthorizePaymentUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly metrics: PaymentTransitionsMetrics,
    private readonly accounts: CustomerAccounts,
  ) {}

  async execute(
    manager: EntityManager,
    order: PaymentRequest,
    cause: Envelope,
    logger: Logger,
  ): Promise<AuthorizationOutcome> {
    // Lock the order's payment row if there is one, so nothing else acts on this payment meanwhile.
    const existing = (await manager.query('SELECT status FROM payments WHERE order_id = $1 FOR UPDATE', [
      order.orderId,
    ])) as { status: PaymentStatus }[];
    const decision = transition(existing[0]?.status, { kind: 'authorize' });
    if (decision.kind !== 'authorize') {
      if (decision.kind === 'refused') this.metrics.countRefused(decision);
      logger.warn(
        { orderId: order.orderId, from: existing[0]?.status },
        'payment asked for an order already paid for: ignored',
      );
      return 'REFUSED';
    }

    // The account's stream decides: the reservation is appended at the version the balance was read at,
    // so two concurrent orders of one customer can never both squeeze under the limit; the one that comes
    // second is decided again against the newer balance (the CHECK constraint of the projection is the
    // backstop).
    const reservation = await this.accounts.reserve(
      manager,
      order.customerId,
      order.orderId,
      order.amountCents,
      {
        causationId: cause.id,
        correlationId: cause.correlationId,
      },
    );
    const authorized = reservation.kind === 'reserved';
    const reason: PaymentDeclineReason | null = authorized
      ? null
      : declineReason(reservation.kind === 'declined');

    // A plain INSERT: should another transaction have inserted this order's payment since the SELECT
    // above, the primary key fails this one, it rolls back (credit included) and is retried, and the retry
    // sees the payment and refuses. That violation is expected, so it is retriable; any other data error
    // stays what the library makes of it (non-retriable).
    try {
      await manager.query(
        `INSERT INTO payments (order_id, customer_id, amount_cents, currency, status, reason)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          order.orderId,
          order.customerId,
          order.amountCents,
          order.currency,
          authorized ? 'AUTHORIZED' : 'DECLINED',
          reason,
        ],
      );
    } catch (error) {
      if (!isUniqueViolation(error, 'payments_pkey')) throw error;
      throw new HandlerError(
        `The payment of order ${order.orderId} was inserted by a concurrent transaction`,
        {
          code: 'PAYMENT_INSERTED_CONCURRENTLY',
          cause: error,
        },
      );
    }

    if (authorized) {
      await this.outbox.add(manager, {
        definition: paymentAuthorizedEvent,
        data: {
          orderId: order.orderId,
          customerId: order.customerId,
          amountCents: order.amountCents,
          currency: order.currency,
          items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
        },
        aggregateType: PAYMENT_AGGREGATE,
        causedBy: cause,
      });
      logger.info({ orderId: order.orderId, amountCents: order.amountCents }, 'payment authorized');
      return 'AUTHORIZED';
    }
    await this.outbox.add(manager, {
      definition: paymentDeclinedEvent,
      data: { orderId: order.orderId, customerId: order.customerId, reason: reason as PaymentDeclineReason },
      aggregateType: PAYMENT_AGGREGATE,
      causedBy: cause,
    });
    logger.info({ orderId: order.orderId, reason }, 'payment declined');
    return 'DECLINED';
  }
}
