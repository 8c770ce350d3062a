/**
 * The messaging wiring every saga service shares: `MessagingModule` on the platform's Kafka client, metrics
 * registry and logger, with the service's own database for the handlers' transactions and the inbox.
 */
import type { DynamicModule } from '@nestjs/common';
import type { EventDefinition, KafkaClient, OwnedTopic } from '@orderstream/messaging';
import { MessagingModule } from '@orderstream/messaging/nest';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ServiceConfig } from '../config/service-config.schema';
import type { ServiceLogger } from '../logging/service-logger';
import { KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER } from '../platform.tokens';

/**
 * What the platform needs of a service's entry in the system manifest (@orderstream/system's
 * `ServiceDeclaration`, which satisfies it; the platform does not import the manifest itself).
 */
export interface ServiceMessagingDeclaration {
  /** The service name; events it writes carry `ce_source` `/orderstream/<service>`. */
  name: string;
  /** Registered at boot, so the first outbox write of each type does not wait on the registry. */
  publishes: readonly EventDefinition<never>[];
  /** The topics it owns, provisioned at boot. */
  topics: readonly {
    name: string;
    partitions: number;
    cleanupPolicy: string;
    retentionMs: number | 'infinite';
  }[];
  /** Its consumers and the events each is declared to consume; the handlers must match. */
  consumerGroups: readonly { name: string; consumes: readonly { type: string }[] }[];
}

export interface ServiceMessagingOptions {
  service: ServiceMessagingDeclaration;
  config: ServiceConfig;
}

/** A manifest topic as the messaging library provisions it. */
export function ownedTopic(topic: ServiceMessagingDeclaration['topics'][number]): OwnedTopic {
  return {
    topic: topic.name,
    partitions: topic.partitions,
    config: {
      'cleanup.policy': topic.cleanupPolicy,
      'retention.ms': topic.retentionMs === 'infinite' ? '-1' : String(topic.retentionMs),
    },
  };
}

export function serviceMessagingModule(options: ServiceMessagingOptions): DynamicModule {
  const { config, service } = options;
  return MessagingModule.forRootAsync({
    inject: [KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER],
    useFactory: (client: KafkaClient, metricsRegistry: Registry, logger: ServiceLogger) => ({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      client,
      registryUrl: config.SCHEMA_REGISTRY_URL,
      source: `/orderstream/${service.name}`,
      // The service's consumer is named after the service; its group id is configuration.
      groupIds: { [service.name]: config.KAFKA_CONSUMER_GROUP },
      topics: service.topics.map(ownedTopic),
      consumes: Object.fromEntries(service.consumerGroups.map((g) => [g.name, g.consumes])),
      // The default DataSource of @nestjs/typeorm: the handlers' transactions and the inbox live there.
      dataSource: DataSource,
      metricsRegistry,
      publishes: service.publishes,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      logger: logger.child({ component: 'messaging' }),
    }),
  });
}
