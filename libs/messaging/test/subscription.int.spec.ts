/**
 * `subscribe()` end to end against real Kafka, registry and PostgreSQL: events of two types published with
 * the Publisher reach their typed handlers under effectively-once, the metrics count them exactly, a
 * redelivered event (same ce_id) is skipped and counted, and the age of the oldest unprocessed message
 * rises while a handler holds a message and falls back to 0 once it is done.
 */
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import { Registry } from 'prom-client';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  EnvelopeCodec,
  MessagingMetrics,
  on,
  Publisher,
  subscribe,
  SubscriptionConfigError,
  type AdminPort,
  type EventDefinition,
  type KafkaClient,
  type ProducerPort,
  type RetryPolicy,
  type Subscription,
} from '../src';
import { entityManagerOf, messagingMigrations, PostgresInbox } from '../src/postgres';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

interface ParcelShipped {
  orderId: string;
  carrier: string;
}

const parcelShippedSchema = {
  type: 'record',
  name: 'ParcelShipped',
  namespace: 'orderstream.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'carrier', type: 'string' },
  ],
} as const;

class CreateHandledEvents1764300000200 implements MigrationInterface {
  name = 'CreateHandledEvents1764300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE handled_events (event_id text NOT NULL, event_type text NOT NULL, order_id text NOT NULL, detail text NOT NULL)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE handled_events');
  }
}

/** No delays worth waiting for: nothing in these tests fails. */
const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [1_000] };

describe('subscribe()', () => {
  const infra = testInfrastructure();
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let codec: EnvelopeCodec;
  let publisher: Publisher;
  let db: MigratedDatabase;
  let subscriptions: Subscription[];
  let kit: MessagingKit;

  beforeAll(async () => {
    kit = await openMessagingKit('subscription-test');
    ({ client, admin, producer, codec, publisher, subscriptions } = kit);
    db = await createMigratedDatabase(infra.postgresUrl, 'subscription', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations(), CreateHandledEvents1764300000200],
      migrationsTransactionMode: 'all',
    }));
  });

  afterAll(async () => {
    await kit?.close();
    await db?.dispose();
  });

  async function definitions(partitions: number) {
    const topic = await createTestTopic(admin, 'subscription.orders', { partitions });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const shipped: EventDefinition<ParcelShipped> = {
      type: 'orderstream.test.ParcelShipped',
      topic,
      schema: parcelShippedSchema,
      key: (e) => e.orderId,
    };
    return { topic, noted, shipped };
  }

  /** The value of one series of a counter or gauge (0 when the series does not exist yet). */
  async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
    const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const series = found?.values.find((v) =>
      Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
    );
    return series?.value ?? 0;
  }

  async function caughtUp(groupId: string, topic: string): Promise<boolean> {
    const [ends, committed] = await Promise.all([
      admin.fetchEndOffsets(topic),
      admin.fetchCommittedOffsets(groupId, topic),
    ]);
    return ends.every(
      ({ partition, offset }) =>
        offset === '0' || committed.find((c) => c.partition === partition)?.offset === offset,
    );
  }

  it('routes two event types to their typed handlers under effectively-once, counts them, and skips a duplicate', async () => {
    const { topic, noted, shipped } = await definitions(2);
    const groupId = uniqueName('subscription-group');
    const registry = new Registry();
    const subscription = await subscribe({
      client,
      groupId,
      routes: [
        on(noted, async (event, context) => {
          await entityManagerOf(context).query(
            'INSERT INTO handled_events (event_id, event_type, order_id, detail) VALUES ($1, $2, $3, $4)',
            [event.id, event.type, event.data.orderId, String(event.data.amountCents)],
          );
        }),
        on(shipped, async (event, context) => {
          await entityManagerOf(context).query(
            'INSERT INTO handled_events (event_id, event_type, order_id, detail) VALUES ($1, $2, $3, $4)',
            [event.id, event.type, event.data.orderId, event.data.carrier],
          );
        }),
      ],
      delivery: 'effectively-once',
      inbox: new PostgresInbox(db.dataSource),
      retry,
      codec,
      producer,
      admin,
      metrics: new MessagingMetrics(registry),
      runner: { consumer: { fetchMaxWaitMs: 100 } },
    });
    subscriptions.push(subscription);
    expect(subscription.topics).toEqual([topic, `${groupId}.retry.1`]);
    expect(subscription.deadLetterTopic).toBe(`${groupId}.dlt`);

    const first = await publisher.publish(noted, { orderId: 'o-1', amountCents: 100, note: null });
    await publisher.publish(noted, { orderId: 'o-2', amountCents: 200, note: 'gift' });
    await publisher.publish(shipped, { orderId: 'o-1', carrier: 'dhl' });
    await publisher.publish(noted, { orderId: 'o-3', amountCents: 300, note: null });
    await publisher.publish(shipped, { orderId: 'o-2', carrier: 'ups' });

    const rows = async () =>
      (await db.dataSource.query(
        'SELECT event_type, order_id, detail FROM handled_events ORDER BY event_type, order_id',
      )) as { event_type: string; order_id: string; detail: string }[];
    await waitFor(async () => (await rows()).length === 5 && (await caughtUp(groupId, topic)), {
      description: 'five events handled and committed',
    });
    expect(await rows()).toEqual([
      { event_type: 'orderstream.test.OrderNoted', order_id: 'o-1', detail: '100' },
      { event_type: 'orderstream.test.OrderNoted', order_id: 'o-2', detail: '200' },
      { event_type: 'orderstream.test.OrderNoted', order_id: 'o-3', detail: '300' },
      { event_type: 'orderstream.test.ParcelShipped', order_id: 'o-1', detail: 'dhl' },
      { event_type: 'orderstream.test.ParcelShipped', order_id: 'o-2', detail: 'ups' },
    ]);
    const handled = (type: string) =>
      metric(registry, 'messaging_messages_succeeded_total', { group: groupId, topic, type });
    expect(await handled(noted.type)).toBe(3);
    expect(await handled(shipped.type)).toBe(2);

    // The same event again (same ce_id), as a producer retry or a replay would send it.
    await publisher.publish(
      noted,
      { orderId: 'o-1', amountCents: 100, note: null },
      { id: first.envelope.id },
    );
    const deduplicated = () =>
      metric(registry, 'messaging_messages_deduplicated_total', { group: groupId, topic, type: noted.type });
    await waitFor(async () => (await deduplicated()) === 1 && (await caughtUp(groupId, topic)), {
      description: 'the duplicate to be skipped and committed',
    });
    expect(await rows()).toHaveLength(5);
    expect(
      await db.dataSource.query('SELECT count(*)::int AS n FROM messaging_inbox WHERE consumer_group = $1', [
        groupId,
      ]),
    ).toEqual([{ n: 5 }]);
    // A skipped duplicate is deduplicated, not succeeded: each delivery counts in one outcome only.
    expect(await handled(noted.type)).toBe(3);
    expect(await handled(shipped.type)).toBe(2);
    expect(await metric(registry, 'messaging_handler_failures_total', { group: groupId })).toBe(0);
    expect(await metric(registry, 'messaging_messages_errored_total', { group: groupId })).toBe(0);
    expect(await metric(registry, 'messaging_messages_dead_lettered_total', { group: groupId })).toBe(0);

    const status = subscription.status();
    expect(status).toMatchObject({ groupId, state: 'joined' });
    expect(status.assignments).toEqual(
      expect.arrayContaining([
        { topic, partitions: [0, 1] },
        { topic: `${groupId}.retry.1`, partitions: [0, 1] },
      ]),
    );

    const report = await subscription.stop({ timeoutMs: 10_000 });
    expect(report).toMatchObject({ graceful: true, abandoned: [] });
    expect(subscription.status()).toMatchObject({ state: 'stopped', assignments: [] });
  });

  it('reports the age of the oldest unprocessed message while a handler holds it, and 0 once it is done', async () => {
    const { topic, noted } = await definitions(1);
    const groupId = uniqueName('subscription-age');
    const registry = new Registry();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const subscription = await subscribe({
      client,
      groupId,
      routes: [
        on(noted, async (event) => {
          started.push(event.data.orderId);
          await held;
        }),
      ],
      delivery: 'at-least-once',
      retry,
      codec,
      producer,
      admin,
      metrics: new MessagingMetrics(registry),
      runner: { consumer: { fetchMaxWaitMs: 100 } },
    });
    subscriptions.push(subscription);

    const published = await publisher.publish(noted, { orderId: 'slow', amountCents: 1, note: null });
    const age = () =>
      metric(registry, 'messaging_oldest_unprocessed_message_age_seconds', {
        group: groupId,
        topic,
        partition: '0',
      });
    await waitFor(async () => started.length === 1 && (await age()) > 0, {
      description: 'a positive age while the handler holds the message',
    });
    expect(subscription.progress()).toEqual([
      { topic, partition: 0, offset: published.offset, timestamp: expect.any(Number) },
    ]);
    // Measured at the scrape: now minus the held record's timestamp, with "now" read during the scrape.
    const timestamp = subscription.progress()[0]?.timestamp ?? Number.NaN;
    for (let scrape = 0; scrape < 3; scrape += 1) {
      const before = Date.now();
      const seconds = await age();
      const after = Date.now();
      expect(seconds).toBeGreaterThanOrEqual((before - timestamp) / 1_000);
      expect(seconds).toBeLessThanOrEqual((after - timestamp) / 1_000);
      await waitFor(() => Date.now() > after, { description: 'the clock to move on' });
    }

    release();
    await waitFor(async () => (await caughtUp(groupId, topic)) && (await age()) === 0, {
      description: 'the age to fall back to 0 once the message is committed',
    });
    expect(subscription.progress()).toEqual([]);
  });

  it('refuses effectively-once without a database before touching Kafka', async () => {
    const { noted } = await definitions(1);
    const groupId = uniqueName('subscription-invalid');
    const attempt = subscribe({
      client,
      groupId,
      routes: [on(noted, () => Promise.resolve())],
      delivery: 'effectively-once',
      codec,
      producer,
      admin,
    });
    await expect(attempt).rejects.toBeInstanceOf(SubscriptionConfigError);
    await expect(attempt).rejects.toThrow(
      `Subscription of group "${groupId}" is effectively-once but has no inbox`,
    );
    expect((await admin.listTopics()).filter((t) => t.startsWith(groupId))).toEqual([]);
  });
});
