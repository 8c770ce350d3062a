/**
 * Failure handling against the real broker and registry: a handler that fails goes through the consumer
 * group's retry topics, delayed by pausing only the retry partition, while its source partition keeps
 * moving; a handler that never succeeds, or bytes that cannot be decoded, end in the group's dead-letter
 * topic as exactly one record carrying the original record and every failure header.
 *
 * The pipeline is built by `buildPipeline` from the failure layers and decoding (so in the documented
 * order), fed by the ConsumerRunner.
 */
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import {
  AvroCodec,
  buildPipeline,
  ConsumerRunner,
  decodeMiddleware,
  DEAD_LETTER_HEADERS,
  ensureFailureTopics,
  EnvelopeCodec,
  eventHandler,
  HandlerError,
  immediateRetryMiddleware,
  on,
  ORIGINAL_HEADERS,
  registryOf,
  RETRY_HEADERS,
  retryAndDeadLetterMiddleware,
  type AdminPort,
  type ConsumedRecord,
  type EventDefinition,
  type EventHandler,
  type KafkaClient,
  type ProducerPort,
  type RetryPolicy,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

describe('retry topics and the dead-letter topic', () => {
  const infra = testInfrastructure();
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let envelopes: EnvelopeCodec;
  const runners: ConsumerRunner[] = [];
  const readers: { disconnect(): Promise<void> }[] = [];

  beforeAll(async () => {
    client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'retry-dead-letter' });
    admin = client.admin();
    producer = client.producer();
    envelopes = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop({ timeoutMs: 10_000 })));
    await Promise.all(readers.map((reader) => reader.disconnect()));
    await Promise.all([producer.disconnect(), admin.disconnect()]);
  });

  /** A source topic of its own, its event definition, and the group's failure topics. */
  async function scenario(policy: RetryPolicy) {
    const topic = await createTestTopic(admin, 'failure.orders', { partitions: 1 });
    const groupId = uniqueName('failure-group');
    const definition: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (event) => event.orderId,
    };
    const failureTopics = await ensureFailureTopics(admin, groupId, { policy, sourceTopics: [topic] });
    const publish = async (...events: OrderNoted[]) => {
      const records = await Promise.all(
        events.map((event) => envelopes.encode(definition, event, { source: '/orderstream/test' })),
      );
      await producer.send(topic, records);
      return records;
    };
    /** Runs the documented pipeline around `handle` in a consumer runner for the group. */
    const consume = async (handle: EventHandler<OrderNoted>) => {
      const routes = [on(definition, handle)];
      const pipeline = buildPipeline(
        {
          'retry-and-dead-letter': retryAndDeadLetterMiddleware({ producer, policy }),
          'immediate-retry': immediateRetryMiddleware(policy.immediate),
          decode: decodeMiddleware(envelopes, registryOf(routes)),
        },
        eventHandler(routes),
      );
      const runner = new ConsumerRunner({
        client,
        groupId,
        topics: [topic, ...failureTopics.retryTopics],
        handler: pipeline,
        // Short fetch waits: a resumed retry partition is fetched soon after it becomes due.
        consumer: { fetchMaxWaitMs: 100 },
      });
      runners.push(runner);
      await runner.start();
      return runner;
    };
    /** True once the group has committed every record of its source and retry topics. */
    const allCommitted = async () => {
      for (const t of [topic, ...failureTopics.retryTopics]) {
        const ends = await admin.fetchEndOffsets(t);
        const committed = await admin.fetchCommittedOffsets(groupId, t);
        for (const { partition, offset } of ends) {
          const at = committed.find((c) => c.partition === partition)?.offset ?? '-1';
          if (offset !== '0' && at !== offset) return false;
        }
      }
      return true;
    };
    const recordCount = async (t: string) =>
      (await admin.fetchEndOffsets(t)).reduce((sum, p) => sum + Number(p.offset), 0);
    return { topic, groupId, failureTopics, publish, consume, allCommitted, recordCount };
  }

  /** Reads every record of a topic from the beginning until `count` have arrived. */
  async function readAll(topic: string, count: number): Promise<ConsumedRecord[]> {
    const reader = client.consumer({ groupId: uniqueName('failure-reader') });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe([topic], { fromBeginning: true });
    const records: ConsumedRecord[] = [];
    await reader.run({
      eachRecord: async (record) => {
        records.push(record);
      },
    });
    await waitFor(() => records.length >= count, { description: `${count} records on ${topic}` });
    return records;
  }

  const text = (record: ConsumedRecord, name: string): string | undefined => record.headers[name]?.toString();

  it('retries through the retry topics without holding up other keys, and handles the message once', async () => {
    const policy: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [200, 400] };
    const { topic, groupId, failureTopics, publish, consume, allCommitted, recordCount } =
      await scenario(policy);

    const calls: {
      orderId: string;
      topic: string;
      attempt: number;
      dueAt: string | undefined;
      at: number;
    }[] = [];
    const completed: string[] = [];
    const sideEffects = new Map<string, number>();
    await consume(async (event, { message }) => {
      calls.push({
        orderId: event.data.orderId,
        topic: message.record.topic,
        attempt: message.attempt,
        dueAt: text(message.record, RETRY_HEADERS.dueAt),
        at: Date.now(),
      });
      const failuresSoFar = calls.filter((c) => c.orderId === event.data.orderId).length - 1;
      if (event.data.orderId === 'flaky' && failuresSoFar < 2) {
        throw new HandlerError('payment gateway unavailable', { code: 'GATEWAY_DOWN' });
      }
      sideEffects.set(event.data.orderId, (sideEffects.get(event.data.orderId) ?? 0) + 1);
      completed.push(event.data.orderId);
    });

    // All on the one source partition: the flaky message first, three messages of other keys behind it.
    await publish(
      { orderId: 'flaky', amountCents: 100, note: null },
      { orderId: 'steady-1', amountCents: 1, note: null },
      { orderId: 'steady-2', amountCents: 2, note: null },
      { orderId: 'steady-3', amountCents: 3, note: null },
    );

    await waitFor(() => completed.includes('flaky'), { description: 'the flaky message to succeed' });
    await waitFor(allCommitted, { description: `group ${groupId} to commit every record` });

    // The later messages did not wait for the flaky one.
    expect(completed).toEqual(['steady-1', 'steady-2', 'steady-3', 'flaky']);
    expect(Object.fromEntries(sideEffects)).toEqual({
      flaky: 1,
      'steady-1': 1,
      'steady-2': 1,
      'steady-3': 1,
    });
    // Tried on the source topic, then once on each retry topic, never before it was due.
    const flaky = calls.filter((c) => c.orderId === 'flaky');
    expect(flaky.map((c) => [c.topic, c.attempt])).toEqual([
      [topic, 1],
      [`${groupId}.retry.1`, 2],
      [`${groupId}.retry.2`, 3],
    ]);
    for (const call of flaky.slice(1)) expect(call.at).toBeGreaterThanOrEqual(Number(call.dueAt));
    expect(failureTopics.retryTopics).toEqual([`${groupId}.retry.1`, `${groupId}.retry.2`]);
    expect(await recordCount(`${groupId}.retry.1`)).toBe(1);
    expect(await recordCount(`${groupId}.retry.2`)).toBe(1);
    expect(await recordCount(failureTopics.deadLetterTopic)).toBe(0);
  });

  it('dead-letters an always-failing message once, after every attempt, with every header', async () => {
    const policy: RetryPolicy = { immediate: { attempts: 2, backoffMs: 10 }, delaysMs: [200, 400] };
    const { topic, groupId, failureTopics, publish, consume, allCommitted, recordCount } =
      await scenario(policy);

    const attempts: { topic: string; attempt: number }[] = [];
    await consume(async (_event, { message }) => {
      attempts.push({ topic: message.record.topic, attempt: message.attempt });
      throw new HandlerError('inventory service rejects everything', { code: 'ALWAYS_FAILS' });
    });
    const [sent] = await publish({ orderId: 'doomed', amountCents: 500, note: 'never works' });

    const [dead] = await readAll(failureTopics.deadLetterTopic, 1);
    await waitFor(allCommitted, { description: `group ${groupId} to commit every record` });
    expect(await recordCount(failureTopics.deadLetterTopic)).toBe(1);

    // Two handler calls (immediate retry) per delivery, one delivery per stage.
    expect(attempts).toEqual([
      { topic, attempt: 1 },
      { topic, attempt: 1 },
      { topic: `${groupId}.retry.1`, attempt: 2 },
      { topic: `${groupId}.retry.1`, attempt: 2 },
      { topic: `${groupId}.retry.2`, attempt: 3 },
      { topic: `${groupId}.retry.2`, attempt: 3 },
    ]);

    const [source] = await readAll(topic, 1);
    if (!dead || !source || !sent) throw new Error('missing record');
    // The original key, value and headers, byte for byte.
    expect(dead.key).toEqual(source.key);
    expect(dead.value).toEqual(source.value);
    for (const [name, value] of Object.entries(sent.headers ?? {})) {
      expect([name, text(dead, name)]).toEqual([name, value.toString()]);
    }
    // Exactly the original headers plus the dead-letter ones: no retry-stage leftovers.
    expect(Object.keys(dead.headers).sort()).toEqual(
      [
        ...Object.keys(sent.headers ?? {}),
        ...Object.values(ORIGINAL_HEADERS),
        ...Object.values(DEAD_LETTER_HEADERS),
      ].sort(),
    );
    expect(text(dead, ORIGINAL_HEADERS.topic)).toBe(topic);
    expect(text(dead, ORIGINAL_HEADERS.partition)).toBe('0');
    expect(text(dead, ORIGINAL_HEADERS.offset)).toBe(source.offset);
    expect(text(dead, ORIGINAL_HEADERS.timestamp)).toBe(source.timestamp);
    expect(text(dead, DEAD_LETTER_HEADERS.consumerGroup)).toBe(groupId);
    expect(text(dead, DEAD_LETTER_HEADERS.reason)).toBe('retries-exhausted');
    expect(text(dead, DEAD_LETTER_HEADERS.errorCode)).toBe('ALWAYS_FAILS');
    expect(text(dead, DEAD_LETTER_HEADERS.errorClass)).toBe('HandlerError');
    expect(text(dead, DEAD_LETTER_HEADERS.errorMessage)).toBe('inventory service rejects everything');
    const stack = text(dead, DEAD_LETTER_HEADERS.errorStack) ?? '';
    expect(stack.startsWith('HandlerError: inventory service rejects everything\n    at ')).toBe(true);
    expect(Buffer.byteLength(stack)).toBeLessThanOrEqual(2_048);
    expect(text(dead, DEAD_LETTER_HEADERS.attempts)).toBe('3');
    const firstFailure = Number(text(dead, DEAD_LETTER_HEADERS.firstFailureAt));
    const lastFailure = Number(text(dead, DEAD_LETTER_HEADERS.lastFailureAt));
    expect(firstFailure).toBeGreaterThanOrEqual(Number(source.timestamp));
    // The last failure came after both retry delays had passed.
    expect(lastFailure - firstFailure).toBeGreaterThanOrEqual(200 + 400);
  });

  it('dead-letters undecodable bytes at once and keeps the partition flowing', async () => {
    const policy: RetryPolicy = { immediate: { attempts: 3, backoffMs: 10 }, delaysMs: [200, 400] };
    const { topic, groupId, failureTopics, publish, consume, allCommitted, recordCount } =
      await scenario(policy);

    const handled: string[] = [];
    await consume(async (event) => {
      handled.push(event.data.orderId);
    });
    // Not the Confluent wire format and no CloudEvents headers, followed by a good event.
    const garbage = Buffer.from('definitely not avro');
    await producer.send(topic, [{ key: 'poison', value: garbage, headers: { origin: 'fuzzer' } }]);
    await publish({ orderId: 'after-poison', amountCents: 42, note: null });

    await waitFor(() => handled.includes('after-poison'), {
      description: 'the good message after the poison',
    });
    const [dead] = await readAll(failureTopics.deadLetterTopic, 1);
    await waitFor(allCommitted, { description: `group ${groupId} to commit every record` });

    expect(handled).toEqual(['after-poison']);
    expect(await recordCount(failureTopics.deadLetterTopic)).toBe(1);
    expect(await recordCount(`${groupId}.retry.1`)).toBe(0);
    if (!dead) throw new Error('missing dead-letter record');
    expect(dead.key?.toString()).toBe('poison');
    expect(dead.value).toEqual(garbage);
    expect(text(dead, 'origin')).toBe('fuzzer');
    expect(text(dead, ORIGINAL_HEADERS.topic)).toBe(topic);
    expect(text(dead, ORIGINAL_HEADERS.offset)).toBe('0');
    expect(text(dead, DEAD_LETTER_HEADERS.reason)).toBe('non-retriable');
    expect(text(dead, DEAD_LETTER_HEADERS.errorCode)).toBe('MESSAGING_DECODE');
    expect(text(dead, DEAD_LETTER_HEADERS.errorClass)).toBe('DecodeError');
    expect(text(dead, DEAD_LETTER_HEADERS.attempts)).toBe('1');
    expect(text(dead, DEAD_LETTER_HEADERS.firstFailureAt)).toBe(
      text(dead, DEAD_LETTER_HEADERS.lastFailureAt),
    );
  });
});
