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
 * The consumer's settings are declared once in orders.consumer.ts; its group id comes from configuration.
 */
import { Injectable } from '@nestjs/common';
import {
  paymentDeclinedEvent,
  stockRejectedEvent,
  stockReservedEvent,
  type PaymentDeclined,
  type StockRejected,
  type StockReserved,
} from '@orderstream/contracts';
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { OrderTransitions } from '../order/order-transitions';
import { ordersConsumer } from '../orders.consumer';

@Injectable()
export class OrderSagaHandler {
  constructor(private readonly transitions: OrderTransitions) {}

  @HandleEvent(ordersConsumer, stockReservedEvent)
  async onStockReserved(event: Envelope<StockReserved>, context: HandlerContext): Promise<void> {
    await this.transitions.apply(entityManagerOf(context), {
      orderId: event.data.orderId,
      trigger: 'stock-reserved',
      causedBy: event,
      logger: context.logger,
    });
  }

  @HandleEvent(ordersConsumer, paymentDeclinedEvent)
  async onPaymentDeclined(event: Envelope<PaymentDeclined>, context: HandlerContext): Promise<void> {
    await this.transitions.apply(entityManagerOf(context), {
      orderId: event.data.orderId,
      trigger: 'payment-declined',
      rejectionReason: event.data.reason,
      causedBy: event,
      logger: context.logger,
    });
  }

  @HandleEvent(ordersConsumer, stockRejectedEvent)
  async onStockRejected(event: Envelope<StockRejected>, context: HandlerContext): Promise<void> {
    await this.transitions.apply(entityManagerOf(context), {
      orderId: event.data.orderId,
      trigger: 'stock-rejected',
      causedBy: event,
      logger: context.logger,
    });
  }
}
