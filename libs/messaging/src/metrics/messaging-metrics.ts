/**
 * The messaging metrics, in the service's own prom-client registry (served on /metrics). Names follow
 * Prometheus conventions; labels are bounded (group, topic, event type, error code, reason, partition).
 *
 * Every delivery (a record handed to a group's pipeline) ends in exactly one outcome counter:
 * `succeeded`, `retried`, `dead_lettered`, `deduplicated`, `skipped` or `errored`. So their sum is the
 * number of deliveries, and a dashboard can divide any of them by it. The outcome is decided by the layer
 * that knows it (the failure layer parks a message, the inbox finds a duplicate, `skip-unrouted` skips),
 * which tells this class through a hook; `metricsMiddleware` counts what no layer claimed as succeeded, or
 * as errored when an error escaped. Failed handler attempts are counted apart, because one delivery can fail
 * several times (immediate retries) and still succeed.
 *
 * A record fetched from a retry topic before it is due is not a delivery: the runner holds it and hands it
 * over again when due, and only that delivery counts.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InboundMessage } from '../core/handler';
import { HEADERS } from '../core/envelope';
import { errorCode } from '../errors/messaging.error';
import type { DeadLetterReason } from '../failure/failure-headers';

export interface MessageLabels {
  group: string;
  topic: string;
  /** The CloudEvents type, or `unknown` for a record that could not be decoded. */
  type: string;
}

/** Why a delivery was acknowledged without being handled. */
export type SkipReason = 'unrouted';

/** A delivery the inbox found already handled, as the effectively-once layers report it. */
export interface DuplicateDelivery {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  /** `ce_type` from the record headers, when present. */
  eventType?: string;
}

/** One delivery between entering the metrics layer and its outcome. */
export interface DeliveryMeasurement {
  /** The pipeline returned: counts `succeeded`, unless a layer inside already counted another outcome. */
  finished(): void;
  /** An error escaped the pipeline: counts `errored`, unless a layer inside already counted an outcome. */
  errored(code: string): void;
  /** Not a delivery after all (a retry record not due yet): counts nothing. */
  withdrawn(): void;
}

export function labelsOf(message: InboundMessage): MessageLabels {
  const type = message.envelope?.type ?? message.record.headers[HEADERS.type]?.toString() ?? 'unknown';
  return { group: message.groupId, topic: message.record.topic, type };
}

/** A delivery in flight, claimed by the first outcome counted for it. */
interface InFlight {
  claimed: boolean;
}

/** Identifies a delivery while it is in flight: a record is in one group's pipeline at most once at a time. */
const deliveryKey = (group: string, topic: string, partition: number, offset: string): string =>
  `${group}\u0000${topic}\u0000${partition}\u0000${offset}`;

export class MessagingMetrics {
  private readonly succeededTotal: Counter<'group' | 'topic' | 'type'>;
  private readonly retriedTotal: Counter<'group' | 'topic' | 'type' | 'code'>;
  private readonly deadLetteredTotal: Counter<'group' | 'topic' | 'type' | 'code' | 'reason'>;
  private readonly deduplicatedTotal: Counter<'group' | 'topic' | 'type'>;
  private readonly skippedTotal: Counter<'group' | 'topic' | 'type' | 'reason'>;
  private readonly erroredTotal: Counter<'group' | 'topic' | 'type' | 'code'>;
  private readonly handlerFailuresTotal: Counter<'group' | 'topic' | 'type' | 'code'>;
  private readonly deliveryDuration: Histogram<'group' | 'topic' | 'type'>;
  private readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly oldestAge: Gauge<'group' | 'topic' | 'partition'>;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly ageCollectors = new Set<() => void>();

  constructor(registry: Registry) {
    const registers = [registry];
    const outcome = 'Outcome of a delivery (each delivery counts in exactly one outcome counter):';
    this.succeededTotal = new Counter({
      name: 'messaging_messages_succeeded_total',
      help: `${outcome} the handler finished without error (under effectively-once with its inbox record; in batch transactions the chunk commits after).`,
      labelNames: ['group', 'topic', 'type'],
      registers,
    });
    this.retriedTotal = new Counter({
      name: 'messaging_messages_retried_total',
      help: `${outcome} the handler failed and the message was written to the group's next retry topic, by the code of the last failed attempt.`,
      labelNames: ['group', 'topic', 'type', 'code'],
      registers,
    });
    this.deadLetteredTotal = new Counter({
      name: 'messaging_messages_dead_lettered_total',
      help: `${outcome} the handler failed and the message was written to the group's dead-letter topic, by error code and reason (non-retriable, retries-exhausted).`,
      labelNames: ['group', 'topic', 'type', 'code', 'reason'],
      registers,
    });
    this.deduplicatedTotal = new Counter({
      name: 'messaging_messages_deduplicated_total',
      help: `${outcome} not handled because the group's inbox already recorded the message (ce_id) as handled.`,
      labelNames: ['group', 'topic', 'type'],
      registers,
    });
    this.skippedTotal = new Counter({
      name: 'messaging_messages_skipped_total',
      help: `${outcome} acknowledged without handling, by reason (unrouted: no route of the group handles its ce_type).`,
      labelNames: ['group', 'topic', 'type', 'reason'],
      registers,
    });
    this.erroredTotal = new Counter({
      name: 'messaging_messages_errored_total',
      help: `${outcome} an error escaped the pipeline (e.g. the retry or dead-letter topic could not be written), by error code; the record is not committed and its redelivery counts again.`,
      labelNames: ['group', 'topic', 'type', 'code'],
      registers,
    });
    this.handlerFailuresTotal = new Counter({
      name: 'messaging_handler_failures_total',
      help: 'Failed handler attempts (decoding, the transaction, inner middleware and the handler, inside the failure layers), by error code; every immediate retry counts, so one delivery can count several times and still succeed.',
      labelNames: ['group', 'topic', 'type', 'code'],
      registers,
    });
    this.deliveryDuration = new Histogram({
      name: 'messaging_handler_duration_seconds',
      help: 'Time per delivery from entering the metrics layer to its outcome (immediate retries and writing to a retry or dead-letter topic included); skipped deliveries are not timed.',
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
    const ageCollectors = this.ageCollectors;
    this.oldestAge = new Gauge({
      name: 'messaging_oldest_unprocessed_message_age_seconds',
      help: 'Age, when scraped, of the oldest message the group fetched and has not finished; 0 when caught up.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      // Ages grow by the second: measured when the registry is read, not by a timer that would report
      // them as of its last tick.
      collect() {
        for (const collect of ageCollectors) collect();
      },
    });
  }

  /** Called by `metricsMiddleware` when a delivery enters the pipeline; the measurement ends it. */
  begin(message: InboundMessage): DeliveryMeasurement {
    const { groupId, record } = message;
    const key = deliveryKey(groupId, record.topic, record.partition, record.offset);
    const delivery: InFlight = { claimed: false };
    this.inFlight.set(key, delivery);
    const started = process.hrtime.bigint();
    const end = (count: (labels: MessageLabels) => void): void => {
      if (this.inFlight.get(key) === delivery) this.inFlight.delete(key);
      // Labels at the end: by then the envelope is decoded and names the event type.
      const labels = labelsOf(message);
      this.deliveryDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      if (!delivery.claimed) count(labels);
    };
    return {
      finished: () => end((labels) => this.succeededTotal.inc(labels)),
      errored: (code) => end((labels) => this.erroredTotal.inc({ ...labels, code })),
      withdrawn: () => {
        if (this.inFlight.get(key) === delivery) this.inFlight.delete(key);
      },
    };
  }

  /** The failure layer wrote the message to a retry topic. */
  retried(message: InboundMessage, code: string): void {
    if (this.claim(message.groupId, message.record.topic, message.record.partition, message.record.offset)) {
      this.retriedTotal.inc({ ...labelsOf(message), code });
    }
  }

  /** The failure layer wrote the message to the dead-letter topic. */
  deadLettered(message: InboundMessage, code: string, reason: DeadLetterReason): void {
    if (this.claim(message.groupId, message.record.topic, message.record.partition, message.record.offset)) {
      this.deadLetteredTotal.inc({ ...labelsOf(message), code, reason });
    }
  }

  /** The inbox had already recorded the message: the handler was not called. */
  deduplicated(duplicate: DuplicateDelivery): void {
    const { groupId, topic, partition, offset } = duplicate;
    if (this.claim(groupId, topic, partition, offset)) {
      this.deduplicatedTotal.inc({ group: groupId, topic, type: duplicate.eventType ?? 'unknown' });
    }
  }

  /**
   * Acknowledged without handling. `skip-unrouted` sits outside the metrics layer, so a skipped delivery
   * never began a measurement and is counted here alone.
   */
  skipped(message: InboundMessage, reason: SkipReason): void {
    this.skippedTotal.inc({ ...labelsOf(message), reason });
  }

  /** One failed handler attempt, by the error's code; not an outcome. */
  handlerFailed(message: InboundMessage, error: unknown): void {
    this.handlerFailuresTotal.inc({ ...labelsOf(message), code: errorCode(error) });
  }

  lag(group: string, topic: string, partition: number, messages: number): void {
    this.consumerLag.set({ group, topic, partition: String(partition) }, messages);
  }

  oldestUnprocessedAge(group: string, topic: string, partition: number, seconds: number): void {
    this.oldestAge.set({ group, topic, partition: String(partition) }, seconds);
  }

  /**
   * Runs `collect` each time the registry is read (a scrape), before the age gauge is reported, so it can
   * set the ages as of that moment (see `MessageAgeMonitor`). Returns the function that unregisters it.
   */
  onAgeCollect(collect: () => void): () => void {
    this.ageCollectors.add(collect);
    return () => {
      this.ageCollectors.delete(collect);
    };
  }

  /**
   * True when this outcome is the delivery's first: it claims the delivery, so `metricsMiddleware` does not
   * count it again. An outcome reported for a delivery nobody measures (a pipeline built without the
   * metrics layer) counts on its own.
   */
  private claim(group: string, topic: string, partition: number, offset: string): boolean {
    const delivery = this.inFlight.get(deliveryKey(group, topic, partition, offset));
    if (!delivery) return true;
    if (delivery.claimed) return false;
    delivery.claimed = true;
    return true;
  }
}
