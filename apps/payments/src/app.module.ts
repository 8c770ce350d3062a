import { Module, type DynamicModule } from '@nestjs/common';
import { paymentAuthorizedEvent, paymentDeclinedEvent, paymentRefundedEvent } from '@orderstream/contracts';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { serviceIn } from '@orderstream/system';
import { AuthorizePaymentUseCase } from './authorize-payment/authorize-payment.use-case';
import { AuthorizePaymentHandler } from './authorize-payment/authorize-payment.handler';
import { CustomerAccounts } from './customer-account/customer-accounts';
import { SERVICE_NAME, type PaymentsConfig } from './config';
import { paymentsDataSourceOptions } from './database';
import { GetCustomerController } from './get-customer/get-customer.controller';
import { GetPaymentController } from './get-payment/get-payment.controller';
import { PaymentTransitionsMetrics } from './payment/payment-transitions.metrics';
import { RefundPaymentUseCase } from './refund-payment/refund-payment.use-case';
import { RefundPaymentHandler } from './refund-payment/refund-payment.handler';
import { PaymentCommandsHandler } from './saga-commands/payment-commands.handler';

@Module({})
export class AppModule {
  static register(config: PaymentsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'payments', options: paymentsDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({
          service: serviceIn(SERVICE_NAME, config.SAGA_MODE),
          config,
          publishes: [paymentAuthorizedEvent, paymentDeclinedEvent, paymentRefundedEvent],
        }),
      ],
      controllers: [GetCustomerController, GetPaymentController],
      providers: [
        PaymentTransitionsMetrics,
        CustomerAccounts,
        AuthorizePaymentUseCase,
        RefundPaymentUseCase,
        // The saga mode decides which handlers exist: the events' reactions or the orchestrator's commands.
        ...(config.SAGA_MODE === 'orchestration'
          ? [PaymentCommandsHandler]
          : [AuthorizePaymentHandler, RefundPaymentHandler]),
      ],
    };
  }
}
