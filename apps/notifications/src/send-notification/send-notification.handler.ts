import { Injectable } from '@nestjs/common';
import {
  orderCancelledEvent,
  orderConfirmedEvent,
  orderRejectedEvent,
  type OrderCancelled,
  type OrderConfirmed,
  type OrderRejected,
} from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { notificationsConsumer } from '../notifications.consumer';
import { SendNotification } from './send-notification.use-case';

/** Transport only: orders' terminal events from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class SendNotificationHandler {
  constructor(private readonly send: SendNotification) {}

  @HandleEvent(notificationsConsumer, orderConfirmedEvent)
  async onConfirmed(event: Envelope<OrderConfirmed>, context: HandlerContext): Promise<void> {
    await this.send.execute(entityManagerOf(context), 'CONFIRMED', event, context.logger);
  }

  @HandleEvent(notificationsConsumer, orderRejectedEvent)
  async onRejected(event: Envelope<OrderRejected>, context: HandlerContext): Promise<void> {
    await this.send.execute(entityManagerOf(context), 'REJECTED', event, context.logger);
  }

  @HandleEvent(notificationsConsumer, orderCancelledEvent)
  async onCancelled(event: Envelope<OrderCancelled>, context: HandlerContext): Promise<void> {
    await this.send.execute(entityManagerOf(context), 'CANCELLED', event, context.logger);
  }
}
