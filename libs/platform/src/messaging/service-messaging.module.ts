/**
 * The messaging wiring every saga service shares: `MessagingModule` on the platform's Kafka client, metrics
 * registry and logger, with the service's own database for the handlers' transactions and the inbox.
 */
import type { DynamicModule } from '@nestjs/common';
import {
  STOP_DISCONNECT_MIN_MS,
  type EventDefinition,
  type KafkaClient,
  type OwnedTopic,
} from '@orderstream/messaging';
import { MessagingModule, type MessagingModuleOptions } from '@orderstream/messaging/nest';
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
  /** The topics it owns, provisioned at boot, with the event types it publishes on each. */
  topics: readonly {
    name: string;
    partitions: number;
    cleanupPolicy: string;
    retentionMs: number | 'infinite';
    events: readonly string[];
    /** `commands`: a command topic it receives on (provisioned by it, published to by others). */
    kind?: 'events' | 'commands';
  }[];
  /** Its consumers and the event types each is declared to consume; the handlers must match. */
  consumerGroups: readonly { name: string; consumes: readonly string[] }[];
  /** Other services' command topics it sends to, with their commands (the orchestrated saga's orchestrator). */
  sends?: readonly { name: string; events: readonly string[] }[];
}

export interface ServiceMessagingOptions {
  service: ServiceMessagingDeclaration;
  config: ServiceConfig;
  /**
   * The contracts of the events it publishes: registered at boot, so the first outbox write of each type does
   * not wait on the registry. Exactly the events its manifest entry declares, each on its declared topic,
   * and the commands it sends (`sends`).
   */
  publishes: readonly EventDefinition<never>[];
}

/** The contracts a service publishes differ from its manifest entry: the service does not start. */
export class PublishedEventsMismatchError extends Error {
  constructor(service: string, problems: readonly string[]) {
    super(`${service}'s published contracts differ from its manifest entry: ${problems.join('; ')}`);
    this.name = 'PublishedEventsMismatchError';
  }
}

/** Checks the published contracts against the declaration; throws `PublishedEventsMismatchError`. */
export function checkPublishedEvents(
  service: ServiceMessagingDeclaration,
  publishes: readonly EventDefinition<never>[],
): void {
  const declared = new Map(
    [...service.topics.filter((t) => t.kind !== 'commands'), ...(service.sends ?? [])].flatMap((t) =>
      t.events.map((type) => [type, t.name] as const),
    ),
  );
  const problems: string[] = [];
  for (const definition of publishes) {
    const topic = declared.get(definition.type);
    if (topic === undefined) problems.push(`${definition.type} is not declared`);
    else if (topic !== definition.topic)
      problems.push(`${definition.type} goes to ${definition.topic}, declared on ${topic}`);
  }
  const given = new Set(publishes.map((d) => d.type));
  for (const type of declared.keys())
    if (!given.has(type)) problems.push(`${type} is declared but not published`);
  if (problems.length > 0) throw new PublishedEventsMismatchError(service.name, problems);
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

/**
 * Room, within SHUTDOWN_TIMEOUT_MS, for what the shutdown does once the consumers have left their groups:
 * disconnect the producers, close the HTTP server and the DataSource (tens of milliseconds normally).
 */
const AFTER_CONSUMERS_MS = 1_000;

/**
 * How long the consumers wait at shutdown for their records in flight. The process exits with code 1 at
 * SHUTDOWN_TIMEOUT_MS (installGracefulShutdown), and a consumer's stop takes up to its limit plus
 * STOP_DISCONNECT_MIN_MS to leave the group, so the limit is SHUTDOWN_TIMEOUT_MS − STOP_DISCONNECT_MIN_MS −
 * AFTER_CONSUMERS_MS: 10 s − 1 s − 1 s = 8 s by default. With the limit equal to SHUTDOWN_TIMEOUT_MS, a
 * stop that needed all of it was cut off by the exit before it left the group and reported what it
 * abandoned. With 2 s or less the consumers do not wait at all: they leave at once, and the records they
 * were handling are redelivered to the next member.
 */
function consumerStopTimeoutMs(shutdownTimeoutMs: number): number {
  return Math.max(0, shutdownTimeoutMs - STOP_DISCONNECT_MIN_MS - AFTER_CONSUMERS_MS);
}

/** The MessagingModule options of a service, from its manifest entry, configuration and platform providers. */
export function serviceMessagingOptions(
  options: ServiceMessagingOptions,
  client: KafkaClient,
  metricsRegistry: Registry,
  logger: ServiceLogger,
): MessagingModuleOptions {
  const { config, service } = options;
  return {
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
    publishes: options.publishes,
    shutdownTimeoutMs: consumerStopTimeoutMs(config.SHUTDOWN_TIMEOUT_MS),
    logger: logger.child({ component: 'messaging' }),
  };
}

export function serviceMessagingModule(options: ServiceMessagingOptions): DynamicModule {
  checkPublishedEvents(options.service, options.publishes);
  return MessagingModule.forRootAsync({
    inject: [KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER],
    useFactory: (client: KafkaClient, metricsRegistry: Registry, logger: ServiceLogger) =>
      serviceMessagingOptions(options, client, metricsRegistry, logger),
  });
}
