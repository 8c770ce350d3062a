import { Module, type DynamicModule } from '@nestjs/common';
import { notificationsOrderRecordedEvent } from '@orderstream/contracts';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { SERVICE, SERVICE_NAME, type NotificationsConfig } from './config';
import { notificationsDataSourceOptions } from './database';
import { GetOrderRecordController } from './get-order-record/get-order-record.controller';
import { RecordOrderHandler } from './record-order/record-order.handler';
import { RecordOrder } from './record-order/record-order.use-case';

/**
 * The service's wiring. PlatformModule brings config, logging, `/health/live`, `/health/ready`, `/metrics`,
 * problem+json errors and the database (migrated at boot); serviceMessagingModule brings Kafka, the
 * outbox writer and the consumer of `notifications.consumer.ts`, checked against the manifest entry at boot.
 */
@Module({})
export class AppModule {
  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'notifications', options: notificationsDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({ service: SERVICE, config, publishes: [notificationsOrderRecordedEvent] }),
      ],
      controllers: [GetOrderRecordController],
      providers: [RecordOrder, RecordOrderHandler],
    };
  }
}
