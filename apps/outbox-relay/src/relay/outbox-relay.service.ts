/**
 * Nest wiring of the relay: one SourceRelay (with its own idempotent producer) and one OutboxRetention
 * job per configured source, started once the application is up and stopped before Nest closes the
 * DataSources. The relay logic itself is framework-free (source-relay.ts).
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type KafkaClient, type ProducerPort } from '@orderstream/messaging';
import { KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { OutboxRelayConfig } from '../config';
import {
  OutboxRetention,
  RelayMetrics,
  SourceRelay,
  type SourceRelayStatus,
} from '@orderstream/messaging/postgres';

export const OUTBOX_RELAY_CONFIG = Symbol('OUTBOX_RELAY_CONFIG');

interface RunningSource {
  relay: SourceRelay;
  producer: ProducerPort;
  retention: OutboxRetention;
}

@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: ServiceLogger;
  private readonly metrics: RelayMetrics;
  private running: RunningSource[] = [];

  constructor(
    @Inject(OUTBOX_RELAY_CONFIG) private readonly config: OutboxRelayConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: KafkaClient,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
    private readonly moduleRef: ModuleRef,
  ) {
    this.logger = logger.child({ component: 'outbox-relay' });
    this.metrics = new RelayMetrics(registry);
  }

  status(): SourceRelayStatus[] {
    return this.running.map(({ relay }) => relay.status());
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [source, url] of Object.entries(this.config.OUTBOX_SOURCES)) {
      // One producer per source: each source's batches are then the only traffic on their producer, and
      // the idempotent producer's single in-flight request orders exactly one source's records.
      const producer = this.kafka.producer();
      await producer.connect();
      const relay = new SourceRelay({
        source,
        connection: url,
        producer,
        batchSize: this.config.OUTBOX_BATCH_SIZE,
        pollIntervalMs: this.config.OUTBOX_POLL_INTERVAL_MS,
        lockRetryIntervalMs: this.config.OUTBOX_LOCK_RETRY_INTERVAL_MS,
        metrics: this.metrics,
        logger: this.logger,
      });
      const retention = new OutboxRetention({
        dataSource: this.moduleRef.get<DataSource>(getDataSourceToken(source), { strict: false }),
        maxAgeMs: this.config.OUTBOX_RETENTION_MS,
        source,
        logger: this.logger,
      });
      this.running.push({ relay, producer, retention });
      await relay.start();
      retention.start(this.config.OUTBOX_RETENTION_INTERVAL_MS);
      this.logger.info({ source, role: relay.status().role }, 'outbox source started');
    }
  }

  /** Before the DataSources close: the batches in flight finish and are marked, then the locks are freed. */
  async beforeApplicationShutdown(): Promise<void> {
    const running = this.running;
    this.running = [];
    await Promise.all(
      running.map(async ({ relay, producer, retention }) => {
        await Promise.all([relay.stop(), retention.stop()]);
        await producer.disconnect();
      }),
    );
  }
}
