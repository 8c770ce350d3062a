import { Injectable } from '@nestjs/common';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import { type Envelope, type HandlerContext } from '@orderstream/messaging';
import { entityManagerOf } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { paymentsConsumer } from '../payments.consumer';
import { AuthorizePaymentUseCase } from './authorize-payment.use-case';

/** Transport only: `OrderPlaced` from Kafka, in the inbox's transaction, to the use case. */
@Injectable()
export class AuthorizePaymentHandler {
  constructor(private readonly authorizePayment: AuthorizePaymentUseCase) {}

  @HandleEvent(paymentsConsumer, orderPlacedEvent)
  async onOrderPlaced(event: Envelope<OrderPlaced>, context: HandlerContext): Promise<void> {
    const { orderId, customerId, totalCents, currency, lines } = event.data;
    await this.authorizePayment.execute(
      entityManagerOf(context),
      { orderId, customerId, amountCents: totalCents, currency, items: lines },
      event,
      context.logger,
    );
  }
}
