/**
 * Publishes consumer lag per partition from the broker's view (committed offset vs. log end), so the gauge
 * stays right while the consumer is idle, paused or down. Polls on an interval; `stop()` ends it.
 */
import type { Logger } from '../logging/logger';
import type { AdminPort } from '../ports/kafka-client.port';
import type { MessagingMetrics } from './messaging-metrics';

export interface LagMonitorOptions {
  admin: AdminPort;
  metrics: MessagingMetrics;
  groups: { groupId: string; topics: string[] }[];
  intervalMs?: number;
  logger: Logger;
}

export interface PartitionLag {
  groupId: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Lag of one group on one topic: end offset minus committed offset (nothing committed ⇒ the whole log). */
export async function measureLag(admin: AdminPort, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [committed, ends] = await Promise.all([
    admin.fetchCommittedOffsets(groupId, topic),
    admin.fetchEndOffsets(topic),
  ]);
  return ends.map(({ partition, offset }) => {
    const end = BigInt(offset);
    const position = BigInt(committed.find((c) => c.partition === partition)?.offset ?? '-1');
    const lag = position < 0n ? end : end - position;
    return { groupId, topic, partition, lag: Number(lag < 0n ? 0n : lag) };
  });
}

export class LagMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LagMonitorOptions) {}

  start(): void {
    if (this.timer) return;
    const tick = () => void this.measureAll();
    this.timer = setInterval(tick, this.options.intervalMs ?? 10_000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async measureAll(): Promise<PartitionLag[]> {
    const all: PartitionLag[] = [];
    for (const { groupId, topics } of this.options.groups) {
      for (const topic of topics) {
        try {
          const lags = await measureLag(this.options.admin, groupId, topic);
          for (const l of lags) this.options.metrics.lag(l.groupId, l.topic, l.partition, l.lag);
          all.push(...lags);
        } catch (error) {
          this.options.logger.warn({ groupId, topic, err: error }, 'could not measure consumer lag');
        }
      }
    }
    return all;
  }
}
