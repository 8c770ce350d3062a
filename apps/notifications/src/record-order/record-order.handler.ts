import { Injectable } from '@nestjs/common';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { notificationsConsumer } from '../notifications.consumer';
import { RecordOrder } from './record-order.use-case';

/** Transport only: `OrderPlaced` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class RecordOrderHandler {
  constructor(private readonly recordOrder: RecordOrder) {}

  @HandleEvent(notificationsConsumer, orderPlacedEvent)
  async onOrderPlaced(event: Envelope<OrderPlaced>, context: HandlerContext): Promise<void> {
    await this.recordOrder.execute(entityManagerOf(context), event, context.logger);
  }
}
