import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { Registry } from 'prom-client';
import { createKafkaJsClient } from '../adapters/kafkajs/kafkajs-client';
import { silentLogger } from '../logging/logger';
import { LagMonitor } from './lag-monitor';
import { MessagingMetrics } from './messaging-metrics';

describe('LagMonitor against the real broker', () => {
  const client = createKafkaJsClient({
    brokers: testInfrastructure().kafkaBrokers,
    clientId: 'lag-monitor-test',
  });
  const admin = client.admin();
  const producer = client.producer();

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  it('reports end offset minus committed offset per partition, and the whole log when nothing is committed', async () => {
    const topic = await createTestTopic(admin, 'metrics.lag', { partitions: 2 });
    const committedGroup = uniqueName('lag-committed');
    const idleGroup = uniqueName('lag-idle');
    await producer.send(
      topic,
      [0, 1, 2, 3, 4].map((i) => ({ key: null, value: Buffer.from(String(i)), partition: 0 })),
    );
    await producer.send(topic, [{ key: null, value: Buffer.from('x'), partition: 1 }]);

    // Commit offset 2 on partition 0 for one group, as if it had processed two messages.
    const tx = client.producer({ transactionalId: uniqueName('lag-tx') });
    await tx.connect();
    const transaction = await tx.transaction();
    await transaction.sendOffsets(committedGroup, [{ topic, partition: 0, offset: '2' }]);
    await transaction.commit();
    await tx.disconnect();

    const registry = new Registry();
    const monitor = new LagMonitor({
      admin,
      metrics: new MessagingMetrics(registry),
      groups: [
        { groupId: committedGroup, topics: [topic] },
        { groupId: idleGroup, topics: [topic] },
      ],
      logger: silentLogger,
    });
    // Offsets committed in a transaction become visible shortly after commit (ADR 0001): measure until they are.
    const expected = { 'committed/0': 3, 'committed/1': 1, 'idle/0': 5, 'idle/1': 1 };
    const label = (groupId: string, partition: number) =>
      `${groupId === committedGroup ? 'committed' : 'idle'}/${partition}`;
    let last: Record<string, number> = {};
    await waitFor(
      async () => {
        const lags = (await monitor.measureAll()).map((l) => [label(l.groupId, l.partition), l.lag] as const);
        last = Object.fromEntries([...lags].sort(([a], [b]) => a.localeCompare(b)));
        return JSON.stringify(last) === JSON.stringify(expected) || undefined;
      },
      { description: 'lag of both groups to match the committed offsets', timeoutMs: 15_000 },
    );
    expect(last).toEqual(expected);

    const gauge = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'messaging_consumer_lag_messages',
    );
    expect(gauge?.values).toHaveLength(4);
  });
});
