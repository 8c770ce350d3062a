import { Module, type DynamicModule } from '@nestjs/common';
import { notificationSentEvent } from '@orderstream/contracts';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { SERVICE, SERVICE_NAME, type NotificationsConfig } from './config';
import { notificationsDataSourceOptions } from './database';
import { GetNotificationsController } from './get-notifications/get-notifications.controller';
import { OrdersClient } from './orders-client/orders.client';
import { SendNotificationHandler } from './send-notification/send-notification.handler';
import {
  NOTIFICATION_SETTINGS,
  SendNotification,
  type NotificationSettings,
} from './send-notification/send-notification.use-case';

/**
 * The service's wiring. PlatformModule brings config, logging, `/health/live`, `/health/ready`, `/metrics`,
 * problem+json errors and the database (migrated at boot); serviceMessagingModule brings Kafka, the
 * outbox writer and the consumer of `notifications.consumer.ts`, checked against the manifest entry at boot.
 */
@Module({})
export class AppModule {
  static register(config: NotificationsConfig): DynamicModule {
    const settings: NotificationSettings = { instanceId: config.INSTANCE_ID };
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'notifications', options: notificationsDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({ service: SERVICE, config, publishes: [notificationSentEvent] }),
      ],
      controllers: [GetNotificationsController],
      providers: [
        { provide: NOTIFICATION_SETTINGS, useValue: settings },
        {
          provide: OrdersClient,
          useValue: new OrdersClient({ baseUrl: config.ORDERS_URL, timeoutMs: config.ORDERS_TIMEOUT_MS }),
        },
        SendNotification,
        SendNotificationHandler,
      ],
    };
  }
}
