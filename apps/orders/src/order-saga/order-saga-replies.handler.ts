/**
 * The orchestrator's ears (`SAGA_MODE=orchestration`): every reply of payments and inventory, to the saga
 * awaiting it (OrderSagaOrchestrator), in the handler's transaction (effectively-once: the inbox row, the
 * saga's row, the order's transition and the next commands commit together).
 */
import { Injectable } from '@nestjs/common';
import {
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  paymentRefundedEvent,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { ordersConsumer } from '../orders.consumer';
import { OrderSagaOrchestrator } from './order-saga.orchestrator';

@Injectable()
export class OrderSagaRepliesHandler {
  constructor(private readonly sagas: OrderSagaOrchestrator) {}

  @HandleEvent(ordersConsumer, paymentAuthorizedEvent)
  onPaymentAuthorized(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  @HandleEvent(ordersConsumer, paymentDeclinedEvent)
  onPaymentDeclined(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  @HandleEvent(ordersConsumer, paymentRefundedEvent)
  onPaymentRefunded(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  @HandleEvent(ordersConsumer, stockReservedEvent)
  onStockReserved(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  @HandleEvent(ordersConsumer, stockRejectedEvent)
  onStockRejected(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  @HandleEvent(ordersConsumer, stockReleasedEvent)
  onStockReleased(event: Envelope, context: HandlerContext): Promise<void> {
    return this.reply(event, context);
  }

  private async reply(event: Envelope, context: HandlerContext): Promise<void> {
    await this.sagas.onReply(entityManagerOf(context), event, context.logger);
  }
}
