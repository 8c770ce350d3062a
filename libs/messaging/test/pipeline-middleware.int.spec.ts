/**
 * The pipeline's two insertion points, against real Kafka, registry and PostgreSQL: a consumer's own
 * middleware at `outer` sees each delivery once (the first, then the one from the group's retry topic),
 * outside failure handling; at `inner` it sees every handler call (immediate retries included) with the
 * decoded envelope and the effectively-once transaction, and what it writes through that transaction
 * commits or rolls back with the handler's work.
 */
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@orderstream/testing';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { EntityManager } from 'typeorm';
import {
  defineConsumer,
  consumerSettings,
  DeferredDelivery,
  HandlerError,
  on,
  subscribe,
  type EventDefinition,
  type Middleware,
} from '../src';
import { entityManagerOf, messagingMigrations, PostgresInbox } from '../src/postgres';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

class CreateAudit1764300000300 implements MigrationInterface {
  name = 'CreateAudit1764300000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE audit (message_id text NOT NULL, attempt int NOT NULL)');
    await queryRunner.query('CREATE TABLE handled (order_id text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit, handled');
  }
}

describe('custom middleware at the insertion points', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;

  beforeAll(async () => {
    kit = await openMessagingKit('pipeline-middleware-test');
    db = await createMigratedDatabase(infra.postgresUrl, 'pipeline_middleware', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations(), CreateAudit1764300000300],
      migrationsTransactionMode: 'all',
    }));
  });

  afterAll(async () => {
    await kit?.close();
    await db?.dispose();
  });

  it('runs outer once per delivery and inner once per handler call, inside the transaction', async () => {
    const topic = await createTestTopic(kit.admin, 'pipeline.orders', { partitions: 1 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const groupId = uniqueName('pipeline-group');
    const outerSeen: { topic: string; attempt: number; decoded: boolean; outcome: string }[] = [];
    const innerSeen: { attempt: number; type: string | undefined; inTransaction: boolean }[] = [];

    const outer: Middleware = (next) => async (message, context) => {
      const seen = { topic: message.record.topic, attempt: message.attempt, decoded: !!message.envelope };
      try {
        await next(message, context);
        outerSeen.push({ ...seen, outcome: 'returned' });
      } catch (error) {
        // A retry record that is not due yet passes here as a DeferredDelivery: rethrown, never swallowed.
        outerSeen.push({ ...seen, outcome: error instanceof DeferredDelivery ? 'deferred' : 'threw' });
        throw error;
      }
    };
    const inner: Middleware = (next) => async (message, context) => {
      innerSeen.push({
        attempt: message.attempt,
        type: message.envelope?.type,
        inTransaction: context.transaction instanceof EntityManager,
      });
      // Written through the handler's transaction: kept only for the attempt that commits.
      await entityManagerOf(context).query('INSERT INTO audit (message_id, attempt) VALUES ($1, $2)', [
        message.envelope?.id,
        message.attempt,
      ]);
      await next(message, context);
    };
    const consumer = defineConsumer({
      name: 'pipeline-test',
      delivery: 'effectively-once',
      retry: { immediate: { attempts: 2, backoffMs: 0 }, delaysMs: [100] },
      middleware: { outer: [outer], inner: [inner] },
    });

    // Fails both calls of the first delivery; succeeds on the delivery from retry topic 1.
    let calls = 0;
    kit.subscriptions.push(
      await subscribe({
        client: kit.client,
        groupId,
        ...consumerSettings(consumer),
        inbox: new PostgresInbox(db.dataSource),
        routes: [
          on(noted, async (event, context) => {
            calls += 1;
            if (calls <= 2) throw new HandlerError('not yet');
            await entityManagerOf(context).query('INSERT INTO handled (order_id) VALUES ($1)', [
              event.data.orderId,
            ]);
          }),
        ],
        codec: kit.codec,
        producer: kit.producer,
        admin: kit.admin,
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      }),
    );
    const published = await kit.publisher.publish(noted, { orderId: 'o-1', amountCents: 1, note: null });

    const deliveries = () => outerSeen.filter((seen) => seen.outcome !== 'deferred');
    await waitFor(() => deliveries().length === 2, { description: 'the delivery from the retry topic' });
    // Before it is due, the retry record may be fetched and deferred (its partition paused) any number of times.
    expect(outerSeen.filter((seen) => seen.outcome === 'deferred').every((seen) => seen.attempt === 2)).toBe(
      true,
    );
    expect(deliveries()).toEqual([
      { topic, attempt: 1, decoded: false, outcome: 'returned' },
      { topic: `${groupId}.retry.1`, attempt: 2, decoded: false, outcome: 'returned' },
    ]);
    expect(innerSeen).toEqual([
      { attempt: 1, type: noted.type, inTransaction: true },
      { attempt: 1, type: noted.type, inTransaction: true },
      { attempt: 2, type: noted.type, inTransaction: true },
    ]);
    expect(await db.dataSource.query('SELECT message_id, attempt FROM audit')).toEqual([
      { message_id: published.envelope.id, attempt: 2 },
    ]);
    expect(await db.dataSource.query('SELECT order_id FROM handled')).toEqual([{ order_id: 'o-1' }]);
  });
});
