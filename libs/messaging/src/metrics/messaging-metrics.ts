/**
 * The messaging metrics, in the service's own prom-client registry (served on /metrics). Names follow
 * Prometheus conventions; labels are bounded (group, topic, event type, error code, partition).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MessageLabels {
  group: string;
  topic: string;
  /** The CloudEvents type, or `unknown` for a record that could not be decoded. */
  type: string;
}

export class MessagingMetrics {
  private readonly handledTotal: Counter<'group' | 'topic' | 'type'>;
  private readonly failedTotal: Counter<'group' | 'topic' | 'type' | 'code'>;
  private readonly retriedTotal: Counter<'group' | 'topic' | 'type'>;
  private readonly deadLetteredTotal: Counter<'group' | 'topic' | 'type' | 'code'>;
  private readonly deduplicatedTotal: Counter<'group' | 'topic' | 'type'>;
  private readonly handlerDuration: Histogram<'group' | 'topic' | 'type'>;
  private readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly oldestAge: Gauge<'group' | 'topic' | 'partition'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.handledTotal = new Counter({
      name: 'messaging_messages_handled_total',
      help: 'Messages whose handler pipeline completed successfully.',
      labelNames: ['group', 'topic', 'type'],
      registers,
    });
    this.failedTotal = new Counter({
      name: 'messaging_messages_failed_total',
      help: 'Handler attempts that failed (each attempt counts once), by error code.',
      labelNames: ['group', 'topic', 'type', 'code'],
      registers,
    });
    this.retriedTotal = new Counter({
      name: 'messaging_messages_retried_total',
      help: 'Messages sent to a retry topic of the group.',
      labelNames: ['group', 'topic', 'type'],
      registers,
    });
    this.deadLetteredTotal = new Counter({
      name: 'messaging_messages_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic of the group, by error code.',
      labelNames: ['group', 'topic', 'type', 'code'],
      registers,
    });
    this.deduplicatedTotal = new Counter({
      name: 'messaging_messages_deduplicated_total',
      help: 'Redelivered messages skipped because the inbox had already recorded them.',
      labelNames: ['group', 'topic', 'type'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'messaging_handler_duration_seconds',
      help: 'Time spent in the handler pipeline per message.',
      labelNames: ['group', 'topic', 'type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'messaging_consumer_lag_messages',
      help: 'Messages between the group’s committed offset and the end of the partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.oldestAge = new Gauge({
      name: 'messaging_oldest_unprocessed_message_age_seconds',
      help: 'Age of the oldest fetched message the group has not committed yet; 0 when caught up.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
  }

  handled(labels: MessageLabels, seconds: number): void {
    this.handledTotal.inc({ ...labels });
    this.handlerDuration.observe({ ...labels }, seconds);
  }

  failed(labels: MessageLabels, code: string, seconds: number): void {
    this.failedTotal.inc({ ...labels, code });
    this.handlerDuration.observe({ ...labels }, seconds);
  }

  retried(labels: MessageLabels): void {
    this.retriedTotal.inc({ ...labels });
  }

  deadLettered(labels: MessageLabels, code: string): void {
    this.deadLetteredTotal.inc({ ...labels, code });
  }

  deduplicated(labels: MessageLabels): void {
    this.deduplicatedTotal.inc({ ...labels });
  }

  lag(group: string, topic: string, partition: number, messages: number): void {
    this.consumerLag.set({ group, topic, partition: String(partition) }, messages);
  }

  oldestUnprocessedAge(group: string, topic: string, partition: number, seconds: number): void {
    this.oldestAge.set({ group, topic, partition: String(partition) }, seconds);
  }
}
