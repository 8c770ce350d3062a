/**
 * Runs the sales topology in a StreamProcessor for the app's lifetime: started once the app is up (its
 * topics exist by then, the messaging module provisioned them), stopped at shutdown so that the group sees
 * it leave and the transactions in flight end (or are aborted by the next owner).
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EnvelopeCodec, StreamProcessor, type KafkaClient } from '@orderstream/messaging';
import { KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import { Counter, type Registry } from 'prom-client';
import { SERVICE, type SalesAnalyticsConfig } from '../config';
import { ORDER_EVENTS, repartitionTopicOf, salesTopology } from './sales-topology';

export const SALES_ANALYTICS_CONFIG = Symbol('SALES_ANALYTICS_CONFIG');

/** The group's declared events must be the ones the topology reads: the service does not start otherwise. */
export function checkConsumedEvents(): void {
  const declared = [...(SERVICE.consumerGroups[0]?.consumes ?? [])].sort();
  const read = ORDER_EVENTS.map((e) => e.type).sort();
  if (JSON.stringify(declared) !== JSON.stringify(read)) {
    throw new Error(
      `sales-analytics reads ${read.join(', ')} but its manifest group declares ${declared.join(', ')}`,
    );
  }
}

@Injectable()
export class SalesProcessorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private processor: StreamProcessor | undefined;
  private readonly logger: ServiceLogger;
  private readonly metrics: ReturnType<typeof createMetrics>;

  constructor(
    @Inject(SALES_ANALYTICS_CONFIG) private readonly config: SalesAnalyticsConfig,
    @Inject(KAFKA_CLIENT) private readonly client: KafkaClient,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
    private readonly codec: EnvelopeCodec,
  ) {
    this.logger = logger.child({ component: 'sales-processor' });
    this.metrics = createMetrics(registry);
  }

  async onApplicationBootstrap(): Promise<void> {
    checkConsumedEvents();
    const applicationId = this.config.KAFKA_CONSUMER_GROUP;
    const { metrics } = this;
    this.processor = new StreamProcessor({
      client: this.client,
      applicationId,
      guarantee: this.config.PROCESSING_GUARANTEE,
      logger: this.logger,
      consumer: {
        sessionTimeoutMs: this.config.STREAM_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: Math.min(3_000, Math.floor(this.config.STREAM_SESSION_TIMEOUT_MS / 6)),
        fetchMaxWaitMs: 500,
      },
      sources: salesTopology({
        applicationId,
        codec: this.codec,
        source: `/orderstream/${SERVICE.name}`,
        onUnmatched: (orderId, type) => {
          metrics.unmatched.inc();
          this.logger.warn({ orderId, type }, 'an order event without its OrderPlaced; not counted');
        },
        onSkipped: (type) => metrics.skipped.inc({ type }),
      }),
      topics: [
        {
          topic: repartitionTopicOf(applicationId),
          partitions: this.config.SKU_PARTITIONS,
          config: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * 24 * 3_600_000) },
        },
      ],
      ...(this.config.STREAM_COMMIT_DELAY_MS > 0
        ? { beforeCommit: () => delay(this.config.STREAM_COMMIT_DELAY_MS) }
        : {}),
      listener: {
        opened: (t) => metrics.restored.inc({ topic: t.topic }, t.restored),
        committed: (c) => {
          metrics.records.inc({ topic: c.topic }, c.records);
          metrics.transactions.inc({ topic: c.topic, outcome: 'committed' });
          if (c.deadLettered > 0) metrics.deadLettered.inc({ topic: c.topic }, c.deadLettered);
        },
        aborted: (a) =>
          metrics.transactions.inc({ topic: a.topic, outcome: a.fenced ? 'fenced' : 'aborted' }),
      },
    });
    await this.processor.start();
    this.logger.info(
      { guarantee: this.config.PROCESSING_GUARANTEE, applicationId },
      'sales processor started',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.processor?.stop();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'sales_analytics_records_processed_total',
      help: 'Input records in committed transactions (a record processed again after an abort counts once more only when that transaction commits).',
      labelNames: ['topic'],
      registers,
    }),
    transactions: new Counter({
      name: 'sales_analytics_transactions_total',
      help: 'Transactions ended, by outcome: committed, aborted (processed again) or fenced (a newer owner took the task).',
      labelNames: ['topic', 'outcome'],
      registers,
    }),
    restored: new Counter({
      name: 'sales_analytics_changelog_records_restored_total',
      help: 'Changelog records read back into the stores when tasks opened.',
      labelNames: ['topic'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'sales_analytics_dead_lettered_total',
      help: 'Input records sent to sales-analytics.dlt, in committed transactions.',
      labelNames: ['topic'],
      registers,
    }),
    unmatched: new Counter({
      name: 'sales_analytics_unmatched_order_events_total',
      help: 'Confirmations and cancellations of orders whose OrderPlaced the processor never read; not counted.',
      registers,
    }),
    skipped: new Counter({
      name: 'sales_analytics_skipped_records_total',
      help: 'Records on orders.events of a type the processor does not read.',
      labelNames: ['type'],
      registers,
    }),
  };
}
