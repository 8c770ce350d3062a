/**
 * The messaging metrics of a real subscription (Kafka, registry, PostgreSQL, effectively-once), driven by a
 * known mix of deliveries: five events handled at once, one that fails twice in process and succeeds on
 * retry topic 1, one that breaks a rule (non-retriable, dead-lettered on its first attempt), a duplicate of
 * an event already handled (same ce_id) and an event type the group has no route for. Every counter is then
 * read from the prom-client registry and compared whole, so a delivery counted twice, or in the wrong
 * outcome, fails the test; the outcome counters add up to the records the group consumed.
 *
 * Run for both transaction scopes: per message, and per chunk of a partition's records (`batch`), whose
 * duplicates and failures take other paths through the inbox.
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
import {
  HandlerError,
  MessagingMetrics,
  on,
  subscribe,
  ValidationError,
  type EventDefinition,
  type RetryPolicy,
} from '../src';
import { messagingMigrations, PostgresInbox } from '../src/postgres';
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

/** Two calls in process per delivery, then retry topic 1 after 200 ms, then the dead-letter topic. */
const retry: RetryPolicy = { immediate: { attempts: 2, backoffMs: 0 }, delaysMs: [200] };

const NOTED = 'orderstream.test.OrderNoted';
const SHIPPED = 'orderstream.test.ParcelShipped';

interface Sample {
  labels: Record<string, string | number>;
  value: number;
}

/** Every counter with samples, `{ name: samples sorted by labels }`; counters without any are left out. */
async function counters(registry: Registry): Promise<Record<string, Sample[]>> {
  const result: Record<string, Sample[]> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'counter' || metric.values.length === 0) continue;
    result[metric.name] = byLabels(
      metric.values.map((v) => ({ labels: v.labels as Sample['labels'], value: v.value })),
    );
  }
  return result;
}

/** Samples in one order whatever order they were created in, for comparing lists. */
function byLabels(samples: Sample[]): Sample[] {
  return samples.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

describe('messaging metrics of a subscription', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: MigratedDatabase;

  beforeAll(async () => {
    kit = await openMessagingKit('messaging-metrics-test');
    db = await createMigratedDatabase(infra.postgresUrl, 'messaging_metrics', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations()],
      migrationsTransactionMode: 'all',
    }));
  });

  afterAll(async () => {
    await kit?.close();
    await db?.dispose();
  });

  async function consumedUpToEnd(groupId: string, topic: string): Promise<boolean> {
    const [ends, committed] = await Promise.all([
      kit.admin.fetchEndOffsets(topic),
      kit.admin.fetchCommittedOffsets(groupId, topic),
    ]);
    return ends.every(
      ({ partition, offset }) =>
        offset === '0' || committed.find((c) => c.partition === partition)?.offset === offset,
    );
  }

  async function endOffset(topic: string): Promise<number> {
    return (await kit.admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);
  }

  it.each(['message', 'batch'] as const)(
    'counts each delivery in exactly one outcome, transactions per %s',
    async (transactionScope) => {
      // One partition: the records reach the group in the order published.
      const topic = await createTestTopic(kit.admin, 'metrics.orders', { partitions: 1 });
      const noted: EventDefinition<OrderNoted> = {
        type: NOTED,
        topic,
        schema: orderNotedSchema,
        key: (e) => e.orderId,
      };
      const shipped: EventDefinition<ParcelShipped> = {
        type: SHIPPED,
        topic,
        schema: parcelShippedSchema,
        key: (e) => e.orderId,
      };
      const first = await kit.publisher.publish(noted, { orderId: 'o-1', amountCents: 1, note: null });
      for (let n = 2; n <= 5; n++) {
        await kit.publisher.publish(noted, { orderId: `o-${n}`, amountCents: n, note: null });
      }
      await kit.publisher.publish(noted, { orderId: 'o-6', amountCents: 6, note: 'flaky' });
      await kit.publisher.publish(noted, { orderId: 'o-7', amountCents: 7, note: 'invalid' });
      // The first event again with its ce_id, as a producer retry or a replay would send it.
      await kit.publisher.publish(
        noted,
        { orderId: 'o-1', amountCents: 1, note: null },
        { id: first.envelope.id },
      );
      await kit.publisher.publish(shipped, { orderId: 'o-1', carrier: 'dhl' });
      const published = 9;

      const groupId = uniqueName('metrics-group');
      const registry = new Registry();
      const subscription = await subscribe({
        client: kit.client,
        groupId,
        delivery: 'effectively-once',
        transactionScope,
        inbox: new PostgresInbox(db.dataSource),
        retry,
        routes: [
          on(noted, async (event, context) => {
            // Fails every call of the first delivery (both immediate attempts), succeeds from retry topic 1.
            if (event.data.note === 'flaky' && context.message.attempt === 1) {
              throw new HandlerError('the payment provider timed out');
            }
            if (event.data.note === 'invalid') {
              throw new ValidationError('an order of 7 cents breaks the minimum amount');
            }
          }),
        ],
        codec: kit.codec,
        producer: kit.producer,
        admin: kit.admin,
        metrics: new MessagingMetrics(registry),
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      });
      kit.subscriptions.push(subscription);
      const [retryTopic] = subscription.topics.slice(1);
      expect(retryTopic).toBe(`${groupId}.retry.1`);

      await waitFor(
        async () =>
          (await consumedUpToEnd(groupId, topic)) &&
          (await endOffset(retryTopic ?? '')) === 1 &&
          (await consumedUpToEnd(groupId, retryTopic ?? '')) &&
          (await endOffset(subscription.deadLetterTopic)) === 1,
        { description: 'both topics consumed to their ends and one record dead-lettered', timeoutMs: 30_000 },
      );

      const source = { group: groupId, topic, type: NOTED };
      expect(await counters(registry)).toEqual({
        messaging_handler_failures_total: byLabels([
          { labels: { ...source, code: 'HANDLER_FAILED' }, value: 2 },
          { labels: { ...source, code: 'VALIDATION_FAILED' }, value: 1 },
        ]),
        messaging_messages_dead_lettered_total: [
          { labels: { ...source, code: 'VALIDATION_FAILED', reason: 'non-retriable' }, value: 1 },
        ],
        messaging_messages_deduplicated_total: [{ labels: source, value: 1 }],
        messaging_messages_retried_total: [{ labels: { ...source, code: 'HANDLER_FAILED' }, value: 1 }],
        messaging_messages_skipped_total: [
          { labels: { ...source, type: SHIPPED, reason: 'unrouted' }, value: 1 },
        ],
        messaging_messages_succeeded_total: byLabels([
          { labels: source, value: 5 },
          { labels: { ...source, topic: retryTopic ?? '' }, value: 1 },
        ]),
      });

      // Outcomes add up to deliveries: every record of the source topic and of the retry topic, once.
      const outcomes = Object.entries(await counters(registry))
        .filter(([name]) => name.startsWith('messaging_messages_'))
        .flatMap(([, samples]) => samples)
        .reduce((sum, sample) => sum + sample.value, 0);
      expect(outcomes).toBe(published + 1);
    },
  );
});
