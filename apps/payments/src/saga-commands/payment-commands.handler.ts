/**
 * payments as a participant of the orchestrated saga (`SAGA_MODE=orchestration`): the orchestrator's
 * commands, to the same use cases the choreography's reactions call. The use cases write the reply (the
 * events payments publishes anyway) with the command as its cause, so the reply's causation id is the
 * command's id, by which the orchestrator correlates it.
 *
 * One reply the choreography has no need of: a refund that finds nothing was ever reserved (the payment
 * was declined, or never made) still answers, with a PaymentRefunded of 0, because the orchestrator waits
 * for an answer to every compensation it sends. A refund of a payment refunded already stays unanswered:
 * the refund that did it has answered, and a second command asking for it again (a duplicate under a new
 * id) is refused, logged and counted, as in the choreography.
 */
import { Injectable } from '@nestjs/common';
import {
  authorizePaymentCommand,
  paymentRefundedEvent,
  refundPaymentCommand,
  type AuthorizePayment,
  type RefundPayment,
} from '@orderstream/contracts';
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import { entityManagerOf, OutboxWriter } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { AuthorizePaymentUseCase } from '../authorize-payment/authorize-payment.use-case';
import { PAYMENT_AGGREGATE } from '../payment/payment.aggregate';
import { paymentsConsumer } from '../payments.consumer';
import { RefundPaymentUseCase } from '../refund-payment/refund-payment.use-case';

@Injectable()
export class PaymentCommandsHandler {
  constructor(
    private readonly authorizePayment: AuthorizePaymentUseCase,
    private readonly refundPayment: RefundPaymentUseCase,
    private readonly outbox: OutboxWriter,
  ) {}

  @HandleEvent(paymentsConsumer, authorizePaymentCommand)
  async onAuthorizePayment(command: Envelope<AuthorizePayment>, context: HandlerContext): Promise<void> {
    // REFUSED (a payment exists for the order) cannot answer this command id: the command that made the
    // payment was another one, and its reply is out already. Logged by the use case; no reply.
    await this.authorizePayment.execute(entityManagerOf(context), command.data, command, context.logger);
  }

  @HandleEvent(paymentsConsumer, refundPaymentCommand)
  async onRefundPayment(command: Envelope<RefundPayment>, context: HandlerContext): Promise<void> {
    const manager = entityManagerOf(context);
    const { orderId, customerId, currency, reason } = command.data;
    const outcome = await this.refundPayment.execute(manager, orderId, reason, command, context.logger);
    if (outcome === 'REFUNDED') return;
    // The use case has locked the payment row, if there is one.
    const rows = (await manager.query('SELECT status FROM payments WHERE order_id = $1', [orderId])) as {
      status: string;
    }[];
    if (rows[0]?.status === 'REFUNDED') return;
    await this.outbox.add(manager, {
      definition: paymentRefundedEvent,
      data: { orderId, customerId, amountCents: 0, currency, reason },
      aggregateType: PAYMENT_AGGREGATE,
      causedBy: command,
    });
  }
}
