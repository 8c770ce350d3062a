/**
 * The messaging wiring every saga service shares: `MessagingModule` on the platform's Kafka client, metrics
 * registry and logger, with the service's own database for the handlers' transactions and the inbox.
 */
import type { DynamicModule } from '@nestjs/common';
import type { EventDefinition, KafkaClient } from '@orderstream/messaging';
import { MessagingModule } from '@orderstream/messaging/nest';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ServiceConfig } from '../config/service-config.schema';
import type { ServiceLogger } from '../logging/service-logger';
import { KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER } from '../platform.tokens';

export interface ServiceMessagingOptions {
  /** The service name; events it writes carry `ce_source` `/orderstream/<service>`. */
  service: string;
  config: ServiceConfig;
  /** Registered at boot, so the first outbox write of each type does not wait on the registry. */
  publishes: readonly EventDefinition<never>[];
}

export function serviceMessagingModule(options: ServiceMessagingOptions): DynamicModule {
  const { config } = options;
  return MessagingModule.forRootAsync({
    inject: [KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER],
    useFactory: (client: KafkaClient, metricsRegistry: Registry, logger: ServiceLogger) => ({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      client,
      registryUrl: config.SCHEMA_REGISTRY_URL,
      source: `/orderstream/${options.service}`,
      // The service's consumer is named after the service; its group id is configuration.
      groupIds: { [options.service]: config.KAFKA_CONSUMER_GROUP },
      // The default DataSource of @nestjs/typeorm: the handlers' transactions and the inbox live there.
      dataSource: DataSource,
      metricsRegistry,
      publishes: options.publishes,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      logger: logger.child({ component: 'messaging' }),
    }),
  });
}
