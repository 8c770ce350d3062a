import { Registry } from 'prom-client';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import type { PartitionProgress } from '../consumer/consumer-runner';
import type { TopicPartitions } from '../ports/kafka-client.port';
import { MessageAgeMonitor, oldestMessageAges } from './message-age.monitor';

const progress = (topic: string, partition: number, timestamp: number): PartitionProgress => ({
  topic,
  partition,
  offset: '7',
  timestamp,
});

describe('oldestMessageAges', () => {
  it('reports the age of the oldest unfinished record per assigned partition, 0 where there is none', () => {
    const ages = oldestMessageAges(
      [
        { topic: 't', partitions: [0, 1] },
        { topic: 'g.retry.1', partitions: [0] },
      ],
      [progress('t', 1, 10_000), progress('g.retry.1', 0, 4_000)],
      12_500,
    );
    expect(ages).toEqual([
      { topic: 't', partition: 0, seconds: 0 },
      { topic: 't', partition: 1, seconds: 2.5 },
      { topic: 'g.retry.1', partition: 0, seconds: 8.5 },
    ]);
  });

  it('ignores progress of partitions no longer assigned and never reports a negative age', () => {
    expect(
      oldestMessageAges(
        [{ topic: 't', partitions: [0] }],
        [progress('t', 0, 20_000), progress('t', 3, 1)],
        10_000,
      ),
    ).toEqual([{ topic: 't', partition: 0, seconds: 0 }]);
  });
});

describe('MessageAgeMonitor', () => {
  async function gauge(registry: Registry): Promise<Record<string, number>> {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'messaging_oldest_unprocessed_message_age_seconds',
    );
    return Object.fromEntries(
      (metric?.values ?? []).map((v) => [`${v.labels['topic']}/${v.labels['partition']}`, v.value]),
    );
  }

  it('measures when the registry is read: the age as of the scrape, not as of an earlier tick', async () => {
    const registry = new Registry();
    let now = 4_000;
    const monitor = new MessageAgeMonitor({
      groupId: 'g',
      source: {
        assignments: () => [{ topic: 't', partitions: [0] }],
        progress: () => [progress('t', 0, 1_000)],
      },
      metrics: new MessagingMetrics(registry),
      now: () => now,
    });
    monitor.start();
    expect(await gauge(registry)).toEqual({ 't/0': 3 });
    now = 9_250;
    expect(await gauge(registry)).toEqual({ 't/0': 8.25 });
    // Also through the text format Prometheus reads.
    now = 11_000;
    expect(await registry.metrics()).toContain(
      'messaging_oldest_unprocessed_message_age_seconds{group="g",topic="t",partition="0"} 10',
    );
  });

  it('zeroes partitions that were moved away, and everything on stop; a stopped monitor measures no more', async () => {
    const registry = new Registry();
    let assignments: TopicPartitions[] = [{ topic: 't', partitions: [0, 1] }];
    let current: PartitionProgress[] = [progress('t', 0, 1_000)];
    const monitor = new MessageAgeMonitor({
      groupId: 'g',
      source: { assignments: () => assignments, progress: () => current },
      metrics: new MessagingMetrics(registry),
      now: () => 4_000,
    });
    monitor.start();
    expect(await gauge(registry)).toEqual({ 't/0': 3, 't/1': 0 });

    assignments = [{ topic: 't', partitions: [1] }];
    current = [progress('t', 1, 3_000)];
    expect(await gauge(registry)).toEqual({ 't/0': 0, 't/1': 1 });

    monitor.stop();
    expect(await gauge(registry)).toEqual({ 't/0': 0, 't/1': 0 });
    current = [progress('t', 1, 0)];
    expect(await gauge(registry)).toEqual({ 't/0': 0, 't/1': 0 });
  });

  it('measures each group of a shared registry', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry);
    const monitors = ['a', 'b'].map(
      (groupId, i) =>
        new MessageAgeMonitor({
          groupId,
          source: {
            assignments: () => [{ topic: 't', partitions: [0] }],
            progress: () => [progress('t', 0, i * 1_000)],
          },
          metrics,
          now: () => 5_000,
        }),
    );
    monitors.forEach((m) => m.start());
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'messaging_oldest_unprocessed_message_age_seconds',
    );
    expect(metric?.values.map((v) => [v.labels['group'], v.value])).toEqual([
      ['a', 5],
      ['b', 4],
    ]);
  });
});
