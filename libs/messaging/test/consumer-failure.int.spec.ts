/**
 * The runner's last line of defence and its deferral: an error that escapes the pipeline never skips a
 * record (the partition stops, backs off and retries it, in order), and `DeferredDelivery` holds only its
 * own partition until the record is due while the other partitions keep flowing.
 */
import { waitFor } from '@orderstream/testing';
import { DeferredDelivery, plainLogger, type ConsumerRunner, type MessageHandler } from '../src';
import { consumerTestKit, produceValues, stderrLogger, waitForCommitted } from './fixtures/consumer-support';

describe('ConsumerRunner failures and deferred delivery', () => {
  const kit = consumerTestKit('consumer-failure');
  const { producer } = kit;

  function start(topic: string, groupId: string, handler: MessageHandler): ConsumerRunner {
    return kit.runner({
      groupId,
      topics: [topic],
      handler,
      errorBackoff: { initialMs: 100, maxMs: 1_000 },
      consumer: { fetchMaxWaitMs: 500 },
      // The escaped errors are expected here; keep the test output quiet unless debugging.
      logger: plainLogger({ ...stderrLogger('failure'), error: () => undefined }),
    });
  }

  it('retries a record whose error escaped the pipeline, in order, without skipping it', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.failure', 1);
    const values = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'];
    await produceValues(producer, topic, values, () => 'one-key');
    const calls: string[] = [];
    const handled: string[] = [];
    let failuresLeft = 2;
    const runner = start(topic, groupId, async ({ record }) => {
      const value = record.value?.toString() ?? '';
      calls.push(value);
      if (value === 'v2' && failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('simulated failure that no middleware caught');
      }
      handled.push(value);
    });
    await runner.start();

    await waitFor(() => handled.length === values.length, { description: 'all six records handled' });
    expect(handled).toEqual(values);
    expect(calls).toEqual(['v0', 'v1', 'v2', 'v2', 'v2', 'v3', 'v4', 'v5']);
    await waitForCommitted(kit.admin, groupId, topic, ['6']);
  });

  it('holds only the partition of a deferred record until it is due', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.deferred', 2);
    await produceValues(
      producer,
      topic,
      ['d0', 'd1'],
      (v) => v,
      () => 0,
    );
    const others = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await produceValues(
      producer,
      topic,
      others,
      (v) => v,
      () => 1,
    );
    const dueAt = Date.now() + 2_000;
    const handled: { value: string; at: number }[] = [];
    let deferrals = 0;
    const runner = start(topic, groupId, async ({ record }) => {
      const value = record.value?.toString() ?? '';
      if (value === 'd0' && Date.now() < dueAt) {
        deferrals += 1;
        throw new DeferredDelivery(dueAt);
      }
      handled.push({ value, at: Date.now() });
    });
    await runner.start();

    await waitFor(() => handled.length === 22, { description: 'all 22 records handled' });
    const order = handled.map((h) => h.value);
    // Partition 1 flowed while partition 0 waited: all of it was handled before the deferred record.
    expect(order.indexOf('d0')).toBe(20);
    expect(order.slice(0, 20)).toEqual(others);
    expect(order.slice(20)).toEqual(['d0', 'd1']);
    expect(handled[20]?.at).toBeGreaterThanOrEqual(dueAt);
    // Held by a timer, not polled: the record was offered once before it was due, then once when due.
    expect(deferrals).toBe(1);
  });
});
