import { Injectable } from '@nestjs/common';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import { entityManagerOf, type Envelope, type HandlerContext } from '@orderstream/messaging';
import { HandleEvent } from '@orderstream/messaging/nest';
import { CONSUMER_GROUP, CONSUMER_SETTINGS } from '../consumer-group';
import { AuthorizePayment } from './authorize-payment';

/** Transport only: `OrderPlaced` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class AuthorizePaymentHandler {
  constructor(private readonly authorizePayment: AuthorizePayment) {}

  @HandleEvent(orderPlacedEvent, { group: CONSUMER_GROUP, ...CONSUMER_SETTINGS })
  async onOrderPlaced(event: Envelope<OrderPlaced>, context: HandlerContext): Promise<void> {
    await this.authorizePayment.execute(entityManagerOf(context), event, context.logger);
  }
}
