import { Injectable } from '@nestjs/common';
import { paymentAuthorizedEvent, type PaymentAuthorized } from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { inventoryConsumer } from '../inventory.consumer';
import { ReserveStockUseCase } from './reserve-stock.use-case';

/** Transport only: `PaymentAuthorized` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class ReserveStockHandler {
  constructor(private readonly reserveStock: ReserveStockUseCase) {}

  @HandleEvent(inventoryConsumer, paymentAuthorizedEvent)
  async onPaymentAuthorized(event: Envelope<PaymentAuthorized>, context: HandlerContext): Promise<void> {
    await this.reserveStock.execute(entityManagerOf(context), event.data, event, context.logger);
  }
}
