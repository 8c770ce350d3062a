import { Injectable } from '@nestjs/common';
import {
  orderCancelledEvent,
  stockRejectedEvent,
  type OrderCancelled,
  type StockRejected,
} from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { paymentsConsumer } from '../payments.consumer';
import { RefundPaymentUseCase } from './refund-payment.use-case';

/** Transport only: the two compensations that give an order's credit back, to the use case. */
@Injectable()
export class RefundPaymentHandler {
  constructor(private readonly refundPayment: RefundPaymentUseCase) {}

  @HandleEvent(paymentsConsumer, stockRejectedEvent)
  async onStockRejected(event: Envelope<StockRejected>, context: HandlerContext): Promise<void> {
    await this.refundPayment.execute(
      entityManagerOf(context),
      event.data.orderId,
      'out-of-stock',
      event,
      context.logger,
    );
  }

  @HandleEvent(paymentsConsumer, orderCancelledEvent)
  async onOrderCancelled(event: Envelope<OrderCancelled>, context: HandlerContext): Promise<void> {
    await this.refundPayment.execute(
      entityManagerOf(context),
      event.data.orderId,
      'order-cancelled',
      event,
      context.logger,
    );
  }
}
