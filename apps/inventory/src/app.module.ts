import { Module, type DynamicModule } from '@nestjs/common';
import { stockRejectedEvent, stockReleasedEvent, stockReservedEvent } from '@orderstream/contracts';
import type { KafkaClient, Logger } from '@orderstream/messaging';
import { MessagingModule } from '@orderstream/messaging/nest';
import { KAFKA_CLIENT, METRICS_REGISTRY, PlatformModule, SERVICE_LOGGER } from '@orderstream/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { SERVICE_NAME, type InventoryConfig } from './config';
import { inventoryDataSourceOptions } from './database';
import { GetStockController } from './get-stock/get-stock.controller';
import { ReleaseStock } from './release-stock/release-stock';
import { ReleaseStockHandler } from './release-stock/release-stock.handler';
import { ReserveStock } from './reserve-stock/reserve-stock';
import { ReserveStockHandler } from './reserve-stock/reserve-stock.handler';
import { StockTransitionsMetrics } from './stock/stock-transitions.metrics';

@Module({})
export class AppModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'inventory', options: inventoryDataSourceOptions(config.DATABASE_URL) },
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
            publishes: [stockReservedEvent, stockRejectedEvent, stockReleasedEvent],
            shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
            logger,
          }),
        }),
      ],
      controllers: [GetStockController],
      providers: [
        StockTransitionsMetrics,
        ReserveStock,
        ReserveStockHandler,
        ReleaseStock,
        ReleaseStockHandler,
      ],
    };
  }
}
