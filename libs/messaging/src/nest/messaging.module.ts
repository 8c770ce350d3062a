/**
 * NestJS wiring of the messaging core: thin on purpose. It provides the Kafka client, the codecs, the
 * Publisher (connected at startup, schemas registered), the OutboxWriter and the metrics; discovers
 * `@HandleEvent` methods at bootstrap and runs one subscription per consumer group; and stops everything
 * in order at shutdown. Everything it does is available without Nest through `subscribe()` and friends.
 *
 * ```ts
 * MessagingModule.forRootAsync({
 *   inject: [KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER],
 *   useFactory: (client, metricsRegistry, logger) => ({
 *     brokers: [], clientId: 'payments', client, metricsRegistry, logger,
 *     registryUrl: config.SCHEMA_REGISTRY_URL, source: '/orderstream/payments', dataSource: DataSource,
 *   }),
 * })
 * ```
 *
 * Global, so handler classes and use cases anywhere in the app can inject `Publisher` and `OutboxWriter`.
 * Call `app.enableShutdownHooks()` (or close the app yourself on SIGTERM) so shutdown runs.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { createKafkaJsClient } from '../adapters/kafkajs/kafkajs-client';
import { AvroCodec } from '../codec/avro-codec';
import { EnvelopeCodec } from '../envelope/envelope.codec';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import type { KafkaClient } from '../ports/kafka-client.port';
import { OutboxWriter } from '../postgres/outbox.writer';
import { Publisher } from '../publisher/publisher';
import type { MessagingModuleAsyncOptions, MessagingModuleOptions } from './messaging-module.options';
import { MessagingHealthIndicator } from './messaging.health-indicator';
import { MessagingRuntime } from './messaging.runtime';
import { MESSAGING_KAFKA_CLIENT, MESSAGING_OPTIONS } from './messaging.tokens';

const providers: Provider[] = [
  {
    provide: MESSAGING_KAFKA_CLIENT,
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: MessagingModuleOptions): KafkaClient =>
      o.client ??
      createKafkaJsClient({
        brokers: o.brokers,
        clientId: o.clientId,
        ...(o.logger ? { logger: o.logger } : {}),
      }),
  },
  {
    // One payload codec for publishing, the outbox and consuming, so schema ids and types are cached once.
    provide: AvroCodec,
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: MessagingModuleOptions) =>
      new AvroCodec({ registryUrl: o.registryUrl, ...(o.registryAuth ? { auth: o.registryAuth } : {}) }),
  },
  {
    provide: EnvelopeCodec,
    inject: [AvroCodec],
    useFactory: (payloads: AvroCodec) => new EnvelopeCodec(payloads),
  },
  {
    provide: Publisher,
    inject: [MESSAGING_OPTIONS, MESSAGING_KAFKA_CLIENT, AvroCodec],
    // Connected (and its schemas registered) before the app is up: a service that cannot publish fails at boot.
    useFactory: async (o: MessagingModuleOptions, client: KafkaClient, payloads: AvroCodec) => {
      const publisher = new Publisher({
        client,
        codec: payloads,
        source: o.source,
        ...(o.publishes ? { definitions: o.publishes } : {}),
        ...(o.logger ? { logger: o.logger } : {}),
      });
      await publisher.connect();
      return publisher;
    },
  },
  {
    provide: OutboxWriter,
    inject: [MESSAGING_OPTIONS, EnvelopeCodec],
    useFactory: (o: MessagingModuleOptions, encoder: EnvelopeCodec) =>
      new OutboxWriter({ encoder, source: o.source }),
  },
  {
    provide: MessagingMetrics,
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: MessagingModuleOptions) => new MessagingMetrics(o.metricsRegistry ?? new Registry()),
  },
  MessagingRuntime,
  MessagingHealthIndicator,
];

const exported = [
  MESSAGING_KAFKA_CLIENT,
  AvroCodec,
  EnvelopeCodec,
  Publisher,
  OutboxWriter,
  MessagingMetrics,
  MessagingRuntime,
  MessagingHealthIndicator,
];

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return MessagingModule.create([{ provide: MESSAGING_OPTIONS, useValue: options }], []);
  }

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return MessagingModule.create(
      [{ provide: MESSAGING_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }],
      options.imports ?? [],
    );
  }

  private static create(
    optionsProviders: Provider[],
    imports: NonNullable<MessagingModuleAsyncOptions['imports']>,
  ): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule, TerminusModule, ...imports],
      providers: [...optionsProviders, ...providers],
      exports: exported,
    };
  }
}
