/**
 * `subscribe()` started before its source topic exists, as when services start together (`npm run demo`,
 * docker compose) and another one owns the topic: it waits for the topic instead of failing, then sizes the
 * failure topics from it and consumes; a topic that never comes fails the start with a typed error, and
 * nothing is created meanwhile.
 */
import { uniqueName, waitFor } from '@orderstream/testing';
import {
  EnvelopeCodec,
  on,
  plainLogger,
  Publisher,
  SourceTopicsMissingError,
  subscribe,
  type AdminPort,
  type EventDefinition,
  type KafkaClient,
  type Logger,
  type ProducerPort,
  type RetryPolicy,
  type Subscription,
} from '../src';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

/** No delays worth waiting for: nothing in these tests fails. */
const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [1_000] };

/** Keeps the messages it is given, so a test can wait for one. */
function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const keep = (_fields: Record<string, unknown>, message: string): void => {
    messages.push(message);
  };
  return { messages, ...plainLogger({ debug: keep, info: keep, warn: keep, error: keep }) };
}

describe('subscribe() before its source topic exists', () => {
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let codec: EnvelopeCodec;
  let publisher: Publisher;
  let subscriptions: Subscription[];
  let kit: MessagingKit;

  beforeAll(async () => {
    kit = await openMessagingKit('topic-wait-test');
    ({ client, admin, producer, codec, publisher, subscriptions } = kit);
  });

  afterAll(async () => {
    await kit?.close();
  });

  /** A definition on a topic name nobody has created yet. */
  function notYetCreated(): EventDefinition<OrderNoted> {
    return {
      type: 'orderstream.test.OrderNoted',
      topic: uniqueName('topic-wait.orders'),
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
  }

  it('waits for the topic, sizes its failure topics from it, and handles what is published to it', async () => {
    const noted = notYetCreated();
    const groupId = uniqueName('topic-wait-group');
    const logger = recordingLogger();
    const handled: string[] = [];
    const starting = subscribe({
      client,
      groupId,
      routes: [on(noted, async (event) => void handled.push(event.data.orderId))],
      delivery: 'at-least-once',
      retry,
      codec,
      producer,
      logger,
      runner: { consumer: { fetchMaxWaitMs: 100 } },
    });
    // A subscription that fails or starts instead of waiting ends the wait below with what it did.
    let settled: string | undefined;
    starting.then(
      () => (settled = 'started without its topic'),
      (error: Error) => (settled = `failed: ${error.message}`),
    );

    const seen = await waitFor(
      () => logger.messages.includes('waiting for source topics to be created') || settled,
      { description: 'the subscription to wait for its source topic' },
    );
    expect(seen).toBe(true);
    expect((await admin.listTopics()).filter((t) => t.startsWith(groupId))).toEqual([]);

    await admin.createTopics([{ topic: noted.topic, partitions: 3 }]);
    const subscription = await starting;
    subscriptions.push(subscription);
    expect(logger.messages).toContain('source topics exist now');
    expect(subscription.topics).toEqual([noted.topic, `${groupId}.retry.1`]);
    expect(await admin.fetchPartitionCounts([`${groupId}.retry.1`, `${groupId}.dlt`])).toEqual({
      [`${groupId}.retry.1`]: 3,
      [`${groupId}.dlt`]: 3,
    });

    await waitFor(() => subscription.status().state === 'joined', {
      description: 'the member to join the group',
    });
    await publisher.publish(noted, { orderId: 'o-late', amountCents: 100, note: null });
    await waitFor(() => handled.includes('o-late'), { description: 'the event to be handled' });
    expect(handled).toEqual(['o-late']);
  });

  it('gives up after topicWaitTimeoutMs with an error naming the group and the topic, creating nothing', async () => {
    const noted = notYetCreated();
    const groupId = uniqueName('topic-wait-missing');
    const attempt = subscribe({
      client,
      groupId,
      routes: [on(noted, () => Promise.resolve())],
      delivery: 'at-least-once',
      retry,
      codec,
      producer,
      admin,
      topicWaitTimeoutMs: 300,
    });
    await expect(attempt).rejects.toBeInstanceOf(SourceTopicsMissingError);
    await expect(attempt).rejects.toMatchObject({
      code: 'MESSAGING_SOURCE_TOPICS_MISSING',
      groupId,
      missingTopics: [noted.topic],
    });
    const topics = await admin.listTopics();
    expect(topics).not.toContain(noted.topic);
    expect(topics.filter((t) => t.startsWith(groupId))).toEqual([]);
  });
});
