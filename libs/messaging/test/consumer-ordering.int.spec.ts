/**
 * Per-key concurrency keeps per-key order: 10,000 records over 1,000 keys on a multi-partition topic are
 * each handled exactly once (no failures, no rebalance), every key in order, with records of different
 * keys really running in parallel, and the committed offsets end up equal to the end offsets.
 */
import { waitFor } from '@orderstream/testing';
import type { MessageHandler } from '../src';
import {
  consumerTestKit,
  offsetsOf,
  produceValues,
  stderrLogger,
  waitForCommitted,
} from './fixtures/consumer-support';

describe('ConsumerRunner ordering with per-key concurrency', () => {
  const kit = consumerTestKit('consumer-ordering');
  const { admin, producer } = kit;

  it('handles 10,000 records over 1,000 keys exactly once, each key in order, and commits to the end', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.ordering', 4);
    const keys = 1_000;
    const total = 10_000;
    // Value `<key>:<sequence within the key>`; record i belongs to key i % 1000.
    const values = Array.from({ length: total }, (_, i) => `k${i % keys}:${Math.floor(i / keys)}`);
    await produceValues(producer, topic, values, (value) => value.split(':')[0] as string);

    const seen = new Map<string, number[]>();
    let handled = 0;
    let running = 0;
    let maxRunning = 0;
    const handler: MessageHandler = async ({ record }) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const [key, sequence] = (record.value?.toString() ?? '').split(':') as [string, string];
      // Simulated work of varying length, so records of different keys overtake each other.
      await new Promise((resolve) => setTimeout(resolve, Number(sequence) % 3));
      seen.set(key, [...(seen.get(key) ?? []), Number(sequence)]);
      handled += 1;
      running -= 1;
    };

    const runner = kit.runner({
      groupId,
      topics: [topic],
      handler,
      concurrency: { perKey: true, maxInFlight: 50 },
      partitionsConsumedConcurrently: 4,
      logger: stderrLogger('ordering'),
    });
    await runner.start();

    await waitFor(() => handled >= total, { description: `${total} handled records`, timeoutMs: 90_000 });

    expect(handled).toBe(total);
    expect(seen.size).toBe(keys);
    const expected = Array.from({ length: total / keys }, (_, i) => i);
    const outOfOrder = [...seen].filter(
      ([, sequence]) => JSON.stringify(sequence) !== JSON.stringify(expected),
    );
    expect(outOfOrder).toEqual([]);
    // Records of different keys did run at the same time, within the configured bound.
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(50 * 4);

    const { ends } = await offsetsOf(admin, groupId, topic);
    expect(ends.reduce((sum, end) => sum + Number(end), 0)).toBe(total);
    await waitForCommitted(admin, groupId, topic, ends);
    const report = await runner.stop({ timeoutMs: 10_000 });
    expect(report).toEqual({ graceful: true, abandoned: [], durationMs: expect.any(Number) });
  });
});
