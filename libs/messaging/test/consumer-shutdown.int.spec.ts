/**
 * Graceful shutdown of a consumer process: SIGTERM in the middle of a batch lets the record in flight
 * finish, commits everything handled and exits 0; a restarted consumer continues exactly after it.
 */
import { waitFor } from '@orderstream/testing';
import { startConsumerChild } from './fixtures/consumer-child';
import { consumerTestKit, offsetsOf, produceValues, waitForCommitted } from './fixtures/consumer-support';

describe('ConsumerRunner graceful shutdown (child process, SIGTERM)', () => {
  const kit = consumerTestKit('consumer-shutdown');
  const { admin, producer } = kit;
  const env = { KAFKA_BROKERS: kit.infra.kafkaBrokers.join(',') };

  it('finishes and commits the work in flight on SIGTERM; the restart reprocesses nothing', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.shutdown', 1);
    const values = Array.from({ length: 100 }, (_, i) => `v${i}`);
    await produceValues(producer, topic, values, (v) => v);

    // All 100 records arrive in one batch; at 50 ms each, SIGTERM lands mid-batch.
    const first = startConsumerChild(
      { topic, groupId, delivery: 'at-least-once' },
      { ...env, WORK_MS: '50' },
    );
    await waitFor(() => first.handled().length >= 10, {
      description: '10 records handled by the first process',
    });
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const handledFirst = first.handled();
    expect(handledFirst.length).toBeGreaterThanOrEqual(10);
    expect(handledFirst.length).toBeLessThan(values.length);
    expect(handledFirst).toEqual(values.slice(0, handledFirst.length));
    const stopped = first.lines.find((l) => l.startsWith('stopped '));
    expect(JSON.parse(stopped?.slice('stopped '.length) ?? '{}')).toMatchObject({
      graceful: true,
      abandoned: [],
    });
    // Everything it handled, and nothing more, is committed.
    expect((await offsetsOf(admin, groupId, topic)).committed).toEqual([String(handledFirst.length)]);

    const second = startConsumerChild({ topic, groupId, delivery: 'at-least-once' }, env);
    await waitFor(() => second.handled().length >= values.length - handledFirst.length, {
      description: 'the rest of the records handled by the restarted process',
    });
    await waitForCommitted(admin, groupId, topic, ['100']);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.handled()).toEqual(values.slice(handledFirst.length));
  });
});
