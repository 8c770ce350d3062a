/**
 * Use case: compensate a payment. Inventory could not reserve the order (`StockRejected`) or the order was
 * cancelled (`OrderCancelled`): give the reserved credit back and say so, exactly once per payment. The
 * payment's status decides (see the state machine), not the inbox: the two compensations of one order
 * (StockRejected, then the OrderCancelled that orders sends for it) are different messages.
 */
import { Injectable } from '@nestjs/common';
import { paymentRefundedEvent, type PaymentRefundReason } from '@orderstream/contracts';
import { type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';
import { PAYMENT_AGGREGATE } from '../payment/payment.aggregate';
import { PaymentTransitionsMetrics } from '../payment/payment-transitions.metrics';
import { transition, type PaymentStatus } from '../payment/payment.state-machine';
import { CustomerAccounts } from '../customer-account/customer-accounts';

export type RefundOutcome = 'REFUNDED' | 'REFUSED';

interface PaymentRow {
  customer_id: string;
  amount_cents: string;
  currency: string;
  status: PaymentStatus;
}

@Injectable()
export class RefundPaymentUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly metrics: PaymentTransitionsMetrics,
    private readonly accounts: CustomerAccounts,
  ) {}

  async execute(
    manager: EntityManager,
    orderId: string,
    reason: PaymentRefundReason,
    cause: Envelope,
    logger: Logger,
  ): Promise<RefundOutcome> {
    // The payment row is the aggregate: locked first, so a concurrent compensation of the same order waits
    // here and then finds it REFUNDED, and this order's outbox rows cannot interleave with another's.
    const rows = (await manager.query(
      'SELECT customer_id, amount_cents::text AS amount_cents, currency, status FROM payments WHERE order_id = $1 FOR UPDATE',
      [orderId],
    )) as PaymentRow[];
    const payment = rows[0];
    const decision = transition(payment?.status, { kind: 'refund', reason });
    if (decision.kind !== 'refund' || !payment) {
      if (decision.kind === 'refused') this.metrics.countRefused(decision);
      logger.warn(
        { orderId, reason, from: payment?.status ?? 'NONE' },
        'refund refused: nothing authorized to give back',
      );
      return 'REFUSED';
    }

    const amountCents = Number(payment.amount_cents);
    // The account's stream after the payment row: every transaction here takes payment, then account. An
    // authorized payment whose account does not exist, or holds less than the payment, is a data bug no
    // retry fixes (InvariantViolatedError): dead-lettered at once.
    await this.accounts.release(manager, payment.customer_id, orderId, amountCents, reason, {
      causationId: cause.id,
      correlationId: cause.correlationId,
    });
    await manager.query(
      `UPDATE payments SET status = 'REFUNDED', reason = $2, updated_at = now() WHERE order_id = $1`,
      [orderId, reason],
    );
    await this.outbox.add(manager, {
      definition: paymentRefundedEvent,
      data: { orderId, customerId: payment.customer_id, amountCents, currency: payment.currency, reason },
      aggregateType: PAYMENT_AGGREGATE,
      causedBy: cause,
    });
    logger.info({ orderId, amountCents, reason }, 'payment refunded');
    return 'REFUNDED';
  }
}
