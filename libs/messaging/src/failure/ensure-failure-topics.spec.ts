import type { TopicSpec } from '../ports/kafka-client.port';
import { ensureFailureTopics } from './ensure-failure-topics';

function fakeAdmin(partitionsByTopic: Record<string, number>) {
  const created: TopicSpec[] = [];
  const asked: (readonly string[])[] = [];
  return {
    created,
    asked,
    async createTopics(topics: TopicSpec[]): Promise<boolean> {
      created.push(...topics);
      return true;
    },
    async fetchPartitionCounts(topics: readonly string[]): Promise<Record<string, number>> {
      asked.push(topics);
      return Object.fromEntries(topics.map((topic) => [topic, partitionsByTopic[topic] ?? 0]));
    },
  };
}

describe('ensureFailureTopics', () => {
  it('creates the retry topics and the dead-letter topic with as many partitions as the largest source', async () => {
    const admin = fakeAdmin({ 'orders.events': 3, 'payments.events': 6 });
    const topics = await ensureFailureTopics(admin, 'billing', {
      policy: { delaysMs: [200, 400] },
      sourceTopics: ['orders.events', 'payments.events'],
      deadLetterTopicConfig: { 'retention.ms': '-1' },
    });
    expect(topics).toEqual({
      retryTopics: ['billing.retry.1', 'billing.retry.2'],
      deadLetterTopic: 'billing.dlt',
    });
    expect(admin.created).toEqual([
      { topic: 'billing.retry.1', partitions: 6, config: {} },
      { topic: 'billing.retry.2', partitions: 6, config: {} },
      { topic: 'billing.dlt', partitions: 6, config: { 'retention.ms': '-1' } },
    ]);
  });

  it('counts the source partitions from metadata in one request, never from end offsets', async () => {
    const admin = fakeAdmin({ 'orders.events': 3, 'payments.events': 6 });
    await ensureFailureTopics(admin, 'billing', {
      policy: { delaysMs: [] },
      sourceTopics: ['orders.events', 'payments.events'],
    });
    // The fake has no fetchEndOffsets: ListOffsets fails on a topic whose leaders are still taking over.
    expect(admin.asked).toEqual([['orders.events', 'payments.events']]);
  });

  it('takes an explicit partition count and replication factor', async () => {
    const admin = fakeAdmin({});
    await ensureFailureTopics(admin, 'billing', {
      policy: { delaysMs: [] },
      partitions: 2,
      replicationFactor: 3,
    });
    expect(admin.created).toEqual([
      { topic: 'billing.dlt', partitions: 2, replicationFactor: 3, config: {} },
    ]);
    expect(admin.asked).toEqual([]);
  });

  it('refuses to guess a partition count', async () => {
    await expect(
      ensureFailureTopics(fakeAdmin({}), 'billing', { policy: { delaysMs: [100] } }),
    ).rejects.toThrow(
      'Failure topics of group "billing" need partitions >= 1 or existing sourceTopics, got 0',
    );
  });
});
