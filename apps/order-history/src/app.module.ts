import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { SERVICE, SERVICE_NAME, type OrderHistoryConfig } from './config';
import { orderHistoryDataSourceOptions } from './database';
import { GetCustomerSummaryController } from './get-customer-summary/get-customer-summary.controller';
import { GetOrderViewController } from './get-order-view/get-order-view.controller';
import { ListOrderViewsController } from './list-order-views/list-order-views.controller';
import { ORDER_HISTORY_PROJECTION_VERSION } from './projection/projection-version';
import {
  PROJECTION_SETTINGS,
  ProjectionService,
  type ProjectionSettings,
} from './projection/projection.provider';
import { AdminTokenGuard } from './rebuild-projection/admin-token.guard';
import { RebuildProjectionController } from './rebuild-projection/rebuild-projection.controller';

export interface AppModuleOptions {
  /** The projection code's version; tests pass another to show a code change rebuilding. */
  projectionVersion?: number;
}

/**
 * The service's wiring. PlatformModule brings config, logging, `/health/live`, `/health/ready`, `/metrics`,
 * problem+json errors and the database (migrated at boot); serviceMessagingModule brings the Kafka client
 * and the envelope codec. The read model's consumers are not `@HandleEvent` handlers: a rebuild runs a
 * second group beside the served one, so ProjectionService starts one subscription per generation itself
 * (projection/projection-host.ts), and checks its events against the manifest's consumer group at boot.
 */
@Module({})
export class AppModule {
  static register(config: OrderHistoryConfig, options: AppModuleOptions = {}): DynamicModule {
    const settings: ProjectionSettings = {
      config,
      codeVersion: options.projectionVersion ?? ORDER_HISTORY_PROJECTION_VERSION,
    };
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'order_history', options: orderHistoryDataSourceOptions(config.DATABASE_URL) },
        }),
        // The generations' groups are the projection's, not handler groups of the messaging module.
        serviceMessagingModule({ service: { ...SERVICE, consumerGroups: [] }, config, publishes: [] }),
      ],
      controllers: [
        GetOrderViewController,
        ListOrderViewsController,
        GetCustomerSummaryController,
        RebuildProjectionController,
      ],
      providers: [{ provide: PROJECTION_SETTINGS, useValue: settings }, ProjectionService, AdminTokenGuard],
    };
  }
}
