import { Module, type DynamicModule } from '@nestjs/common';
import { paymentAuthorizedEvent, paymentDeclinedEvent, paymentRefundedEvent } from '@orderstream/contracts';
import type { KafkaClient, Logger } from '@orderstream/messaging';
import { MessagingModule } from '@orderstream/messaging/nest';
import { KAFKA_CLIENT, METRICS_REGISTRY, PlatformModule, SERVICE_LOGGER } from '@orderstream/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuthorizePayment } from './authorize-payment/authorize-payment';
import { AuthorizePaymentHandler } from './authorize-payment/authorize-payment.handler';
import { SERVICE_NAME, type PaymentsConfig } from './config';
import { paymentsDataSourceOptions } from './database';
import { GetCustomerController } from './get-customer/get-customer.controller';
import { GetPaymentController } from './get-payment/get-payment.controller';
import { PaymentTransitionsMetrics } from './payment/payment-transitions.metrics';
import { RefundPayment } from './refund-payment/refund-payment';
import { RefundPaymentHandler } from './refund-payment/refund-payment.handler';

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
        MessagingModule.forRootAsync({
          inject: [KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER],
          useFactory: (client: KafkaClient, metricsRegistry: Registry, logger: Logger) => ({
            brokers: config.KAFKA_BROKERS,
            clientId: config.KAFKA_CLIENT_ID,
            client,
            registryUrl: config.SCHEMA_REGISTRY_URL,
            source: `/orderstream/${SERVICE_NAME}`,
            // The default DataSource of @nestjs/typeorm: the handlers' transactions and the inbox live there.
            dataSource: DataSource,
            metricsRegistry,
            // Registered at boot, so the first outbox write of each type does not wait on the registry.
            publishes: [paymentAuthorizedEvent, paymentDeclinedEvent, paymentRefundedEvent],
            shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
            logger,
          }),
        }),
      ],
      controllers: [GetCustomerController, GetPaymentController],
      providers: [
        PaymentTransitionsMetrics,
        AuthorizePayment,
        AuthorizePaymentHandler,
        RefundPayment,
        RefundPaymentHandler,
      ],
    };
  }
}
