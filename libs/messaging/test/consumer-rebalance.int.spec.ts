/**
 * A second member joining mid-stream: partitions move while records are being handled, and nothing is
 * lost. The first member stops its batches, commits what it finished and rejoins before the partitions
 * move, so duplicates (records handled by both members) can only be records that were in flight during
 * the hand-over; the effectively-once inbox removes those (rebalance-effectively-once.int.spec.ts).
 */
import { waitFor } from '@orderstream/testing';
import { type ConsumerRunner, type MessageHandler } from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { consumerTestKit, produceValues, stderrLogger, waitForCommitted } from './fixtures/consumer-support';

describe('ConsumerRunner rebalance', () => {
  const kit = consumerTestKit('consumer-rebalance');
  const { admin, producer } = kit;

  it('loses nothing when a second member joins mid-stream; duplicates only around the hand-over', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.rebalance', 4);
    const total = 6_000;
    const values = Array.from({ length: total }, (_, i) => `v${i}`);
    await produceValues(producer, topic, values, (_, i) => `key-${i % 97}`);

    /** Every handling, in the order they finished: which member, which record. */
    const handlings: { member: 'a' | 'b'; partition: number; offset: string; value: string }[] = [];
    const handler =
      (member: 'a' | 'b'): MessageHandler =>
      async ({ record }) => {
        // Simulated work, so the stream is still flowing when the second member joins.
        await new Promise((resolve) => setTimeout(resolve, 3));
        handlings.push({
          member,
          partition: record.partition,
          offset: record.offset,
          value: record.value?.toString() ?? '',
        });
      };
    const runner = (member: 'a' | 'b'): ConsumerRunner =>
      kit.runner({
        client: createKafkaJsClient({
          brokers: kit.infra.kafkaBrokers,
          clientId: `consumer-rebalance-${member}`,
        }),
        groupId,
        topics: [topic],
        handler: handler(member),
        consumer: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000, fetchMaxWaitMs: 1_000 },
        logger: stderrLogger(`rebalance-${member}`),
      });

    const a = runner('a');
    await a.start();
    await waitFor(() => handlings.length >= total / 10, {
      description: 'a tenth of the records handled by a',
    });
    const b = runner('b');
    const beforeJoin = handlings.length;
    await b.start();
    // b.start resolves once b joined, i.e. once the rebalance completed.
    const afterJoin = handlings.length;
    expect(beforeJoin).toBeLessThan(total / 2);
    expect(afterJoin).toBeLessThan(total);

    await waitFor(() => new Set(handlings.map((h) => h.value)).size === total, {
      description: `all ${total} records handled`,
      timeoutMs: 90_000,
    });
    // Both members own partitions now, and both handled records.
    const owned = (r: ConsumerRunner) => r.assignments().flatMap((x) => x.partitions ?? []);
    expect([...owned(a), ...owned(b)].sort()).toEqual([0, 1, 2, 3]);
    expect(owned(a).length).toBeGreaterThan(0);
    expect(owned(b).length).toBeGreaterThan(0);
    expect(handlings.some((h) => h.member === 'b')).toBe(true);

    await waitForCommitted(admin, groupId, topic);

    // Duplicates: records handled twice. Each must have been handled the first time by a before the
    // hand-over completed (b joined) and the second time by the member owning the partition afterwards.
    const firstSeen = new Map<string, number>();
    const duplicates: { value: string; first: number; second: number }[] = [];
    handlings.forEach((h, index) => {
      const first = firstSeen.get(h.value);
      if (first === undefined) firstSeen.set(h.value, index);
      else duplicates.push({ value: h.value, first, second: index });
    });
    process.stderr.write(
      `rebalance: ${handlings.length} handlings of ${total} records, ${duplicates.length} duplicates\n`,
    );
    expect(handlings.length).toBe(total + duplicates.length);
    for (const duplicate of duplicates) {
      expect(handlings[duplicate.first]?.member).toBe('a');
      expect(duplicate.first).toBeLessThan(afterJoin);
    }
    // No record was handled three times: one hand-over, at most one repeat.
    expect(new Set(duplicates.map((d) => d.value)).size).toBe(duplicates.length);
  });
});
