import { Injectable } from '@nestjs/common';
import { orderCancelledEvent, type OrderCancelled } from '@orderstream/contracts';
import { entityManagerOf, type Envelope, type HandlerContext } from '@orderstream/messaging';
import { HandleEvent } from '@orderstream/messaging/nest';
import { CONSUMER_GROUP, CONSUMER_SETTINGS } from '../consumer-group';
import { ReleaseStock } from './release-stock';

/** Transport only: `OrderCancelled` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class ReleaseStockHandler {
  constructor(private readonly releaseStock: ReleaseStock) {}

  @HandleEvent(orderCancelledEvent, { group: CONSUMER_GROUP, ...CONSUMER_SETTINGS })
  async onOrderCancelled(event: Envelope<OrderCancelled>, context: HandlerContext): Promise<void> {
    await this.releaseStock.execute(entityManagerOf(context), event, context.logger);
  }
}
