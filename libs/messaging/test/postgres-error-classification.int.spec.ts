/**
 * Deterministic database failures are not retried, against real Kafka, registry and PostgreSQL: an
 * effectively-once handler whose SQL fails with SQLSTATE 22P02 (a non-UUID cast to uuid, the case:
 * orders retried one through three retry topics for 40 s) is dead-lettered on its first attempt with code
 * POSTGRES_22P02, after one handler call and without a retry-topic record, and leaves no inbox row; one that
 * fails with 40001 (serialization failure) goes through the immediate retries and the retry topic and then
 * commits, once.
 *
 * Three ways to the same pipeline, each classifying what its transaction throws: `subscribe()` with a
 * `PostgresInbox`, a transaction per message and one per batch of a partition's records (where the failing
 * record is isolated and routed alone), as the services run; and the documented stages put together by hand
 * (`buildPipeline`) with the PostgreSQL entry's `effectivelyOnce` as the transaction stage.
 */
import { randomUUID } from 'node:crypto';
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import {
  buildPipeline,
  ConsumerRunner,
  DEAD_LETTER_HEADERS,
  decodeMiddleware,
  ensureFailureTopics,
  eventHandler,
  immediateRetryMiddleware,
  on,
  registryOf,
  RETRY_HEADERS,
  retryAndDeadLetterMiddleware,
  retryTopicNames,
  subscribe,
  type ConsumedRecord,
  type EventDefinition,
  type EventHandler,
  type RetryPolicy,
} from '../src';
import { effectivelyOnce, entityManagerOf, PostgresInbox } from '../src/postgres';
import { effectivelyOnceDataSourceOptions } from './fixtures/effectively-once-schema';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

const POLICY: RetryPolicy = { immediate: { attempts: 3, backoffMs: 0 }, delaysMs: [200, 400] };

describe('PostgreSQL failures of an effectively-once handler', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: MigratedDatabase;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    kit = await openMessagingKit('postgres-error-classification-test');
    db = await createMigratedDatabase(infra.postgresUrl, 'postgres_errors', effectivelyOnceDataSourceOptions);
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop({ timeoutMs: 10_000 })));
    await kit?.close();
    await db?.dispose();
  });

  type Wiring = 'subscribe, a transaction per message' | 'subscribe, a transaction per batch' | 'by hand';

  /** Runs the effectively-once pipeline around `handle` for a group and topic of its own. */
  async function consume(wiring: Wiring, handle: EventHandler<OrderNoted>) {
    const topic = await createTestTopic(kit.admin, 'pg-errors.orders', { partitions: 1 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const groupId = uniqueName('pg-errors-group');
    const routes = [on(noted, handle)];
    if (wiring !== 'by hand') {
      const subscription = await subscribe({
        client: kit.client,
        groupId,
        routes,
        delivery: 'effectively-once',
        transactionScope: wiring === 'subscribe, a transaction per batch' ? 'batch' : 'message',
        inbox: new PostgresInbox(db.dataSource),
        retry: POLICY,
        codec: kit.codec,
        producer: kit.producer,
        admin: kit.admin,
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      });
      kit.subscriptions.push(subscription);
      const failureTopics = {
        retryTopics: retryTopicNames(groupId, POLICY),
        deadLetterTopic: subscription.deadLetterTopic,
      };
      return { noted, groupId, failureTopics };
    }
    const failureTopics = await ensureFailureTopics(kit.admin, groupId, {
      policy: POLICY,
      sourceTopics: [topic],
    });
    const runner = new ConsumerRunner({
      client: kit.client,
      groupId,
      topics: [topic, ...failureTopics.retryTopics],
      delivery: 'effectively-once',
      handler: buildPipeline(
        {
          'retry-and-dead-letter': retryAndDeadLetterMiddleware({ producer: kit.producer, policy: POLICY }),
          'immediate-retry': immediateRetryMiddleware(POLICY.immediate),
          transaction: effectivelyOnce({ dataSource: db.dataSource }),
          decode: decodeMiddleware(kit.codec, registryOf(routes)),
        },
        eventHandler(routes),
      ),
      consumer: { fetchMaxWaitMs: 100 },
    });
    runners.push(runner);
    await runner.start();
    return { noted, groupId, failureTopics };
  }

  const count = async (sql: string, parameters: unknown[]): Promise<number> =>
    Number(((await db.dataSource.query(sql, parameters)) as { n: string }[])[0]?.n);
  const inboxRows = (groupId: string) =>
    count('SELECT count(*) AS n FROM messaging_inbox WHERE consumer_group = $1', [groupId]);
  const effects = (messageId: string) =>
    count('SELECT count(*) AS n FROM effects WHERE message_id = $1', [messageId]);
  const recordCount = async (topic: string) =>
    (await kit.admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);

  it.each<Wiring>(['subscribe, a transaction per message', 'subscribe, a transaction per batch', 'by hand'])(
    '%s: dead-letters a 22P02 on attempt 1 without retries, retries a 40001 until it commits',
    async (wiring) => {
      const calls = new Map<string, number>();
      const { noted, groupId, failureTopics } = await consume(wiring, async (event, context) => {
        const { orderId, note } = event.data;
        const call = (calls.get(orderId) ?? 0) + 1;
        calls.set(orderId, call);
        const manager = entityManagerOf(context);
        if (note === 'serialization' && call <= POLICY.immediate.attempts) {
          // The server's own 40001, as a concurrent serializable transaction would cause it.
          await manager.query(
            `DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$`,
          );
        }
        // The order id is cast to uuid, as a handler writing it into a uuid column does: 22P02 when it is not one.
        await manager.query('SELECT $1::uuid', [orderId]);
        await manager.query('INSERT INTO effects (message_id, "offset") VALUES ($1, $2)', [
          event.id,
          context.message.record.offset,
        ]);
      });

      const bad = await kit.publisher.publish(noted, { orderId: 'not-a-uuid', amountCents: 1, note: null });
      const flakyId = randomUUID();
      const flaky = await kit.publisher.publish(noted, {
        orderId: flakyId,
        amountCents: 2,
        note: 'serialization',
      });

      await waitFor(async () => (await effects(flaky.envelope.id)) === 1, {
        description: 'the 40001 message committed after its retries',
      });
      const [[dead], [retried]] = await Promise.all([
        kit.readAll(failureTopics.deadLetterTopic, 1),
        kit.readAll(failureTopics.retryTopics[0] ?? '', 1),
      ]);
      const text = (record: ConsumedRecord | undefined, name: string) => record?.headers[name]?.toString();

      // 22P02: one handler call (no immediate retry), straight to the dead-letter topic.
      expect(calls.get('not-a-uuid')).toBe(1);
      expect(text(dead, 'ce_id')).toBe(bad.envelope.id);
      expect(text(dead, DEAD_LETTER_HEADERS.reason)).toBe('non-retriable');
      expect(text(dead, DEAD_LETTER_HEADERS.errorCode)).toBe('POSTGRES_22P02');
      expect(text(dead, DEAD_LETTER_HEADERS.errorClass)).toBe('PostgresError');
      expect(text(dead, DEAD_LETTER_HEADERS.attempts)).toBe('1');
      expect(text(dead, DEAD_LETTER_HEADERS.errorMessage)).toBe(
        'invalid input syntax for type uuid: "not-a-uuid"',
      );
      expect(await effects(bad.envelope.id)).toBe(0);

      // 40001: three immediate calls, one retry-topic record, then the fourth call commits on attempt 2.
      expect(calls.get(flakyId)).toBe(POLICY.immediate.attempts + 1);
      expect(text(retried, 'ce_id')).toBe(flaky.envelope.id);
      expect(text(retried, RETRY_HEADERS.errorCode)).toBe('POSTGRES_40001');
      expect(text(retried, RETRY_HEADERS.errorClass)).toBe('PostgresError');
      expect(text(retried, RETRY_HEADERS.attempt)).toBe('2');

      // Exactly those records: nothing of the 22P02 went through a retry topic, nothing else was dead-lettered.
      expect(await recordCount(failureTopics.deadLetterTopic)).toBe(1);
      expect(await recordCount(failureTopics.retryTopics[0] ?? '')).toBe(1);
      expect(await recordCount(failureTopics.retryTopics[1] ?? '')).toBe(0);
      // The failed attempts left no inbox row; the committed one left one.
      expect(await inboxRows(groupId)).toBe(1);
    },
  );
});
