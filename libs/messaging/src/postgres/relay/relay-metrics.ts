/**
 * The relay's Prometheus metrics, registered once per registry and shared by every source. Every series
 * has a `source` label (the name in OUTBOX_SOURCES). Backlog and age are measured by every instance, leader
 * or not, so an alarm keeps working while the leader is down; aggregate across instances with `max`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class RelayMetrics {
  /** Unpublished rows. */
  readonly backlog: Gauge<'source'>;
  /** Age of the oldest unpublished row; 0 when none waits. The number to alarm on. */
  readonly oldestUnpublishedAge: Gauge<'source'>;
  /** 1 while this instance holds the source's leader lock, else 0. */
  readonly leader: Gauge<'source'>;
  readonly publishLatency: Histogram<'source'>;
  readonly batchSize: Histogram<'source'>;
  readonly published: Counter<'source' | 'topic'>;
  /** Batches that failed (Kafka or the database); the relay retries them after a pause. */
  readonly failures: Counter<'source'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.backlog = new Gauge({
      name: 'outbox_relay_backlog_rows',
      help: 'Outbox rows not yet published, per source database',
      labelNames: ['source'],
      registers,
    });
    this.oldestUnpublishedAge = new Gauge({
      name: 'outbox_relay_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none), per source database',
      labelNames: ['source'],
      registers,
    });
    this.leader = new Gauge({
      name: 'outbox_relay_leader',
      help: "1 while this instance holds the source's leader lock and publishes it, else 0",
      labelNames: ['source'],
      registers,
    });
    this.publishLatency = new Histogram({
      name: 'outbox_relay_publish_latency_seconds',
      help: 'Time from an outbox row being written (created_at) to being marked published',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'outbox_relay_batch_size',
      help: 'Rows per published batch (one Kafka send per topic, one UPDATE)',
      labelNames: ['source'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
      registers,
    });
    this.published = new Counter({
      name: 'outbox_relay_published_total',
      help: 'Outbox rows published to Kafka and marked, per source database and topic',
      labelNames: ['source', 'topic'],
      registers,
    });
    this.failures = new Counter({
      name: 'outbox_relay_batch_failures_total',
      help: 'Batches that failed (Kafka or database error); they are retried',
      labelNames: ['source'],
      registers,
    });
  }
}
