import { Injectable } from '@nestjs/common';
import { paymentAuthorizedEvent, type PaymentAuthorized } from '@orderstream/contracts';
import { entityManagerOf, type Envelope, type HandlerContext } from '@orderstream/messaging';
import { HandleEvent } from '@orderstream/messaging/nest';
import { CONSUMER_GROUP, CONSUMER_SETTINGS } from '../consumer-group';
import { ReserveStock } from './reserve-stock';

/** Transport only: `PaymentAuthorized` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class ReserveStockHandler {
  constructor(private readonly reserveStock: ReserveStock) {}

  @HandleEvent(paymentAuthorizedEvent, { group: CONSUMER_GROUP, ...CONSUMER_SETTINGS })
  async onPaymentAuthorized(event: Envelope<PaymentAuthorized>, context: HandlerContext): Promise<void> {
    await this.reserveStock.execute(entityManagerOf(context), event, context.logger);
  }
}
