import { Module, type DynamicModule } from '@nestjs/common';
import { salesAnalyticsEvents } from '@orderstream/contracts';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { SERVICE, SERVICE_NAME, type SalesAnalyticsConfig } from './config';
import { SALES_ANALYTICS_CONFIG, SalesProcessorService } from './sales/sales-processor.service';

/**
 * The service's wiring. PlatformModule brings config, logging, `/health/live`, `/health/ready`, `/metrics` and
 * problem+json errors (no database: the state lives in changelog topics); serviceMessagingModule brings the
 * Kafka client and envelope codec, registers the published schemas and provisions analytics.sku-sales at
 * boot. The consumer is not a `@HandleEvent` group: SalesProcessorService runs a StreamProcessor, which
 * checks its events against the manifest's consumer group at boot.
 */
@Module({})
export class AppModule {
  static register(config: SalesAnalyticsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE_NAME, config }),
        serviceMessagingModule({
          service: { ...SERVICE, consumerGroups: [] },
          config,
          publishes: Object.values(salesAnalyticsEvents) as never[],
        }),
      ],
      providers: [{ provide: SALES_ANALYTICS_CONFIG, useValue: config }, SalesProcessorService],
    };
  }
}
