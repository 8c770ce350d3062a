import { Injectable } from '@nestjs/common';
import { orderCancelledEvent, type OrderCancelled } from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { inventoryConsumer } from '../inventory.consumer';
import { ReleaseStockUseCase } from './release-stock.use-case';

/** Transport only: `OrderCancelled` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class ReleaseStockHandler {
  constructor(private readonly releaseStock: ReleaseStockUseCase) {}

  @HandleEvent(inventoryConsumer, orderCancelledEvent)
  async onOrderCancelled(event: Envelope<OrderCancelled>, context: HandlerContext): Promise<void> {
    await this.releaseStock.execute(entityManagerOf(context), event.data.orderId, event, context.logger);
  }
}
