/**
 * The orders side of the choreographed saga: what an order does when payments or inventory report back.
 * Each method only maps an event to a trigger; OrderTransitions does the rest in the handler's transaction
 * (effectively-once: the inbox row, the status change and the outbox event commit together).
 *
 * - StockReserved   → CONFIRMED, OrderConfirmed
 * - PaymentDeclined → REJECTED,  OrderRejected (with payments' reason)
 * - StockRejected   → CANCELLED, OrderCancelled{out-of-stock}. Payments refunds on StockRejected itself;
 *   it also receives this OrderCancelled and must refund once per payment (it decides by the payment's
 *   status, not by counting events), so the two triggers converge on one refund.
 *
 * A late or out-of-order event (StockReserved for an order the deadline cancelled) is an illegal
 * transition: logged, counted, skipped, and its inbox row committed, so it is not retried. The race
 * converges: the deadline's OrderCancelled makes inventory release and payments refund whatever they hold.
 *
 * The consumer group comes from configuration, so the class is built per group: `@HandleEvent` is
 * evaluated when the class is declared.
 */
import { Inject, Injectable, type Type } from '@nestjs/common';
import {
  paymentDeclinedEvent,
  stockRejectedEvent,
  stockReservedEvent,
  type PaymentDeclined,
  type StockRejected,
  type StockReserved,
} from '@orderstream/contracts';
import { entityManagerOf, type Envelope, type HandlerContext } from '@orderstream/messaging';
import { HandleEvent } from '@orderstream/messaging/nest';
import { OrderTransitions } from '../order/order-transitions';

export function orderSagaHandler(group: string): Type<unknown> {
  const on = { group, delivery: 'effectively-once' } as const;

  @Injectable()
  class OrderSagaHandler {
    constructor(@Inject(OrderTransitions) private readonly transitions: OrderTransitions) {}

    @HandleEvent(stockReservedEvent, on)
    async onStockReserved(event: Envelope<StockReserved>, context: HandlerContext): Promise<void> {
      await this.transitions.apply(entityManagerOf(context), {
        orderId: event.data.orderId,
        trigger: 'stock-reserved',
        causedBy: event,
        logger: context.logger,
      });
    }

    @HandleEvent(paymentDeclinedEvent, on)
    async onPaymentDeclined(event: Envelope<PaymentDeclined>, context: HandlerContext): Promise<void> {
      await this.transitions.apply(entityManagerOf(context), {
        orderId: event.data.orderId,
        trigger: 'payment-declined',
        rejectionReason: event.data.reason,
        causedBy: event,
        logger: context.logger,
      });
    }

    @HandleEvent(stockRejectedEvent, on)
    async onStockRejected(event: Envelope<StockRejected>, context: HandlerContext): Promise<void> {
      await this.transitions.apply(entityManagerOf(context), {
        orderId: event.data.orderId,
        trigger: 'stock-rejected',
        causedBy: event,
        logger: context.logger,
      });
    }
  }
  return OrderSagaHandler;
}
