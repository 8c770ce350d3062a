import type {
  FactoryProvider,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ConsumerOptions, KafkaClient } from '../ports/kafka-client.port';
import type { EventDefinition } from '../core/event-definition';
import type { Logger } from '../logging/logger';
import type { OwnedTopic } from '../topics/provision-topics';

export interface MessagingModuleOptions {
  /** Broker addresses; ignored when `client` is given. */
  brokers: string[];
  /** Kafka client id; ignored when `client` is given. */
  clientId: string;
  /** An existing client to share (e.g. the platform's); by default one is created from brokers and clientId. */
  client?: KafkaClient;
  /** Confluent-compatible registry API, e.g. http://localhost:8081/apis/ccompat/v7. */
  registryUrl: string;
  registryAuth?: { username: string; password: string };
  /** `ce_source` of every event the service publishes or writes to its outbox, e.g. `/orderstream/orders`. */
  source: string;
  /**
   * The service's database, for effectively-once handlers: a DataSource, or the token it is provided
   * under (with @nestjs/typeorm, `DataSource` itself for the default one, or `getDataSourceToken(name)`).
   * Resolved when the handlers start, so it may come from a module initialised later.
   */
  dataSource?: DataSource | InjectionToken;
  /**
   * The service's prom-client registry (the one `/metrics` serves). The messaging metrics are registered
   * in it and the consumer lag is polled from the broker. Without it the metrics still count, in a
   * registry of the module's own that nobody scrapes, and no lag is polled.
   */
  metricsRegistry?: Registry;
  /**
   * The consumer group id of each consumer, by its `defineConsumer` name, from the service's
   * configuration. A consumer not listed runs as the group named like the consumer.
   */
  groupIds?: Readonly<Record<string, string>>;
  /** Inbox table of effectively-once consumers. Default `messaging_inbox`. */
  inboxTable?: string;
  /**
   * The topics the service owns (e.g. from the system manifest): created at startup when missing, before any
   * consumer starts; one that exists with other partitions or settings fails the startup with a
   * `TopicSettingsError` naming each difference.
   */
  topics?: readonly OwnedTopic[];
  /**
   * What each consumer, by its `defineConsumer` name, is declared to consume (e.g. the system manifest's
   * consumer groups). A consumer whose `@HandleEvent` methods take other event types, or a declared consumer
   * without handlers, fails the startup, so the declaration cannot drift from the code.
   */
  consumes?: Readonly<Record<string, readonly string[]>>;
  /** Schemas registered at startup, so the first publish of each does not wait on the registry. */
  publishes?: readonly EventDefinition<never>[];
  /** Consumer session, heartbeat and fetch settings shared by every handler group. */
  consumer?: Omit<ConsumerOptions, 'groupId'>;
  /**
   * How long each handler group waits at startup for source topics that do not exist yet before the
   * bootstrap fails (see `SubscriptionOptions.topicWaitTimeoutMs`). Default 60 s.
   */
  topicWaitTimeoutMs?: number;
  /**
   * The longest a shutdown waits for in-flight messages before leaving the groups anyway. Default 30 s.
   * Leaving can take `STOP_DISCONNECT_MIN_MS` more (see `StopOptions.timeoutMs`): a process that exits after
   * a deadline of its own sets this below it.
   */
  shutdownTimeoutMs?: number;
  /** How often the consumer lag is polled. Default 10 s. */
  lagIntervalMs?: number;
  logger?: Logger;
}

export interface MessagingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: FactoryProvider<MessagingModuleOptions | Promise<MessagingModuleOptions>>['useFactory'];
}
