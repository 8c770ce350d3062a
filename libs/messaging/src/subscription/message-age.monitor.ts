/**
 * Age of the oldest unprocessed message per partition (`messaging_oldest_unprocessed_message_age_seconds`).
 *
 * Lag in messages says how much is waiting; age says for how long, which is what an SLO is about. The
 * runner knows, per partition it owns, the oldest record it fetched and has not finished (a slow handler,
 * a partition held in backoff, a retry record waiting until it is due); this monitor turns that into the
 * gauge when the registry is read, so a scrape sees the age as of the scrape. (It used to be set by a 5 s
 * timer: a scrape then saw the age as of the last tick, up to 5 s too young, measured 4.9 s.) A partition
 * with nothing unfinished reports 0. A partition this member no longer owns is set to 0 once, so a stale
 * age does not linger after a rebalance moved it elsewhere.
 *
 * Only records this member fetched are aged. A record produced but not fetched yet has no timestamp here,
 * and the high watermark of the last fetch does not say that one is waiting: under read_committed the
 * offsets after the last record are often a transaction's commit marker, which no consumer ever gets, so
 * "high watermark beyond the last record" would age a caught-up partition without end. Records produced
 * after the last fetch show in `messaging_consumer_lag_messages` and in `npm run ops -- groups describe`
 * (lag in records and seconds, from the committed offset); a member that fetches normally has them
 * within one fetch.
 *
 * The age is measured against the record's Kafka timestamp (producer time by default), so clock skew
 * between producer and consumer hosts shows up in it; keep the hosts on NTP.
 */
import type { PartitionProgress } from '../consumer/consumer-runner';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import type { TopicPartitions } from '../ports/kafka-client.port';

export interface PartitionAge {
  topic: string;
  partition: number;
  seconds: number;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Pure: the age to report for every assigned partition at `now`, given the runner's progress. Ages never go
 * below 0 (a producer clock ahead of ours must not report negative ages).
 */
export function oldestMessageAges(
  assignments: readonly TopicPartitions[],
  progress: readonly PartitionProgress[],
  now: number,
): PartitionAge[] {
  const oldest = new Map(progress.map((p) => [keyOf(p.topic, p.partition), p.timestamp]));
  return assignments.flatMap(({ topic, partitions = [] }) =>
    partitions.map((partition) => {
      const timestamp = oldest.get(keyOf(topic, partition));
      const seconds = timestamp === undefined ? 0 : Math.max(0, now - timestamp) / 1_000;
      return { topic, partition, seconds };
    }),
  );
}

export interface MessageAgeSource {
  assignments(): TopicPartitions[];
  progress(): PartitionProgress[];
}

export interface MessageAgeMonitorOptions {
  groupId: string;
  source: MessageAgeSource;
  metrics: MessagingMetrics;
  /** The clock; tests pass their own. */
  now?: () => number;
}

export class MessageAgeMonitor {
  private unregister: (() => void) | undefined;
  /** Partitions reported at the last measure, to zero them once they are gone. */
  private reported = new Set<string>();
  private readonly partitionOf = new Map<string, { topic: string; partition: number }>();

  constructor(private readonly options: MessageAgeMonitorOptions) {}

  /** From now on every read of the metrics registry measures the ages first. */
  start(): void {
    this.unregister ??= this.options.metrics.onAgeCollect(() => this.measure());
  }

  /** Sets the gauge for every assigned partition, and 0 for those assigned at the last measure but not now. */
  measure(): PartitionAge[] {
    const { groupId, source, metrics } = this.options;
    const ages = oldestMessageAges(source.assignments(), source.progress(), (this.options.now ?? Date.now)());
    const current = new Set<string>();
    for (const { topic, partition, seconds } of ages) {
      const key = keyOf(topic, partition);
      current.add(key);
      this.partitionOf.set(key, { topic, partition });
      metrics.oldestUnprocessedAge(groupId, topic, partition, seconds);
    }
    for (const key of this.reported) if (!current.has(key)) this.zero(key);
    this.reported = current;
    return ages;
  }

  /** Stops measuring and zeroes what it reported: a stopped member holds no messages. */
  stop(): void {
    this.unregister?.();
    this.unregister = undefined;
    for (const key of this.reported) this.zero(key);
    this.reported = new Set();
  }

  private zero(key: string): void {
    const tp = this.partitionOf.get(key);
    if (tp) this.options.metrics.oldestUnprocessedAge(this.options.groupId, tp.topic, tp.partition, 0);
  }
}
