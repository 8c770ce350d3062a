/**
 * Graceful shutdown of a consumer process: SIGTERM in the middle of a batch lets the record in flight
 * finish, commits everything handled and exits 0; a restarted consumer continues exactly after it.
 */
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { createKafkaJsClient } from '../src';
import { startConsumerChild } from './fixtures/consumer-child';
import { offsetsOf, produceValues } from './fixtures/consumer-support';

describe('ConsumerRunner graceful shutdown (child process, SIGTERM)', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'consumer-shutdown' });
  const admin = client.admin();
  const producer = client.producer();
  const env = { KAFKA_BROKERS: infra.kafkaBrokers.join(',') };

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('finishes and commits the work in flight on SIGTERM; the restart reprocesses nothing', async () => {
    const topic = await createTestTopic(admin, 'consumer.shutdown', { partitions: 1 });
    const groupId = uniqueName('consumer-shutdown-group');
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
    await waitFor(async () => (await offsetsOf(admin, groupId, topic)).committed[0] === '100', {
      description: 'offset 100 committed',
    });
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.handled()).toEqual(values.slice(handledFirst.length));
  });
});
