/**
 * The stop timeout against the real broker: a handler that never returns cannot hold a shutdown past its
 * bound. `stop({ timeoutMs })` returns after about `timeoutMs` (plus at most the one second it gives the
 * client to leave the group), not gracefully, listing the record it abandoned; the next member of the
 * group gets that record again, and nothing before it.
 */
import { uniqueName, waitFor } from '@orderstream/testing';
import type { ConsumerPort, KafkaClient } from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { consumerTestKit, produceValues, stderrLogger, waitForCommitted } from './fixtures/consumer-support';

/** A client whose consumers report when their `disconnect` has finished. */
function observingDisconnect(client: KafkaClient): { client: KafkaClient; disconnected: Promise<void>[] } {
  const disconnected: Promise<void>[] = [];
  return {
    disconnected,
    client: {
      producer: (options) => client.producer(options),
      admin: () => client.admin(),
      consumer: (options) => {
        const consumer = client.consumer(options);
        const port: ConsumerPort = {
          connect: () => consumer.connect(),
          subscribe: (topics, subscribeOptions) => consumer.subscribe(topics, subscribeOptions),
          run: (runOptions) => consumer.run(runOptions),
          commit: (offsets) => consumer.commit(offsets),
          seek: (topic, partition, offset) => consumer.seek(topic, partition, offset),
          pause: (topicPartitions) => consumer.pause(topicPartitions),
          resume: (topicPartitions) => consumer.resume(topicPartitions),
          assignments: () => consumer.assignments(),
          on: (event, listener) => consumer.on(event, listener),
          disconnect: () => {
            const done = consumer.disconnect();
            disconnected.push(done.catch(() => undefined));
            return done;
          },
        };
        return port;
      },
    },
  };
}

describe('ConsumerRunner stop timeout', () => {
  const kit = consumerTestKit('consumer-stop-timeout');
  const { producer } = kit;

  it('gives up on a handler that never returns within the bound; the next member gets the record again', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.stop-timeout', 1);
    await produceValues(producer, topic, ['v0', 'v1', 'v2', 'v3', 'v4'], () => 'one-key');

    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const startedFirst: string[] = [];
    const first = observingDisconnect(
      createKafkaJsClient({ brokers: kit.infra.kafkaBrokers, clientId: uniqueName('stop-timeout-a') }),
    );
    const a = kit.runner({
      client: first.client,
      groupId,
      topics: [topic],
      // Committed before each record, so exactly the records before the stuck one are committed.
      commit: { everyRecords: 1 },
      // The broker's minimum session timeout: the stuck member stops heartbeating and is evicted soon.
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 },
      logger: stderrLogger('stop-timeout-a'),
      handler: async ({ record }) => {
        const value = record.value?.toString() ?? '';
        startedFirst.push(value);
        if (value === 'v2') await released;
      },
    });
    await a.start();
    await waitFor(() => startedFirst.includes('v2'), { description: 'the first member stuck at v2' });

    const timeoutMs = 2_000;
    const stopping = Date.now();
    const report = await a.stop({ timeoutMs });
    const took = Date.now() - stopping;
    expect(report).toEqual({
      graceful: false,
      abandoned: [{ topic, partition: 0, offsets: ['2'] }],
      durationMs: expect.any(Number),
    });
    // The drain gives up at timeoutMs; leaving the group gets at most one more second.
    expect(took).toBeGreaterThanOrEqual(timeoutMs);
    expect(took).toBeLessThan(timeoutMs + 1_500);
    expect(startedFirst).toEqual(['v0', 'v1', 'v2']);
    await waitForCommitted(kit.admin, groupId, topic, ['2']);

    const handledSecond: string[] = [];
    const b = kit.runner({
      client: createKafkaJsClient({
        brokers: kit.infra.kafkaBrokers,
        clientId: uniqueName('stop-timeout-b'),
      }),
      groupId,
      topics: [topic],
      logger: stderrLogger('stop-timeout-b'),
      handler: async ({ record }) => {
        handledSecond.push(record.value?.toString() ?? '');
      },
    });
    await b.start();
    await waitForCommitted(kit.admin, groupId, topic, ['5']);
    expect(handledSecond).toEqual(['v2', 'v3', 'v4']);

    // Let the abandoned handler return, so the first client can finish disconnecting.
    release();
    await Promise.all(first.disconnected);
    expect((await b.stop()).graceful).toBe(true);
  });
});
