/**
 * Effectively-once with batch transactions (`transactionScope: 'batch'`), against real Kafka, registry
 * and PostgreSQL: a chunk of a partition's messages commits in one transaction (rows committed together
 * share PostgreSQL's `xmin`), a failing message in the middle is isolated — it alone goes to the
 * dead-letter topic on its first attempt, the messages before it commit, the messages after it commit —
 * and a message that fails once and then succeeds is handled once, in order.
 */
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import {
  DEAD_LETTER_HEADERS,
  HandlerError,
  NonRetriableError,
  on,
  subscribe,
  type EventDefinition,
  type RetryPolicy,
} from '../src';
import { entityManagerOf, messagingMigrations, PostgresInbox } from '../src/postgres';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

class CreateHandled1764300000500 implements MigrationInterface {
  name = 'CreateHandled1764300000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE handled (group_id text NOT NULL, n int NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE handled');
  }
}

const retry: RetryPolicy = { immediate: { attempts: 2, backoffMs: 0 }, delaysMs: [200] };

describe('effectively-once with batch transactions', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: MigratedDatabase;

  beforeAll(async () => {
    kit = await openMessagingKit('effectively-once-batch-test');
    db = await createMigratedDatabase(infra.postgresUrl, 'eo_batch', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations(), CreateHandled1764300000500],
      migrationsTransactionMode: 'all',
    }));
  });

  afterAll(async () => {
    await kit?.close();
    await db?.dispose();
  });

  /** Ten events on one partition, published before the group starts so that they arrive as one batch. */
  async function scenario(
    fail: (n: number, call: number) => Error | undefined,
    query: (n: number, manager: EntityManager) => Promise<void> = async () => undefined,
  ) {
    const topic = await createTestTopic(kit.admin, 'eo-batch.orders', { partitions: 1 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    for (let n = 1; n <= 10; n++) {
      await kit.publisher.publish(noted, { orderId: `o-${n % 3}`, amountCents: n, note: null });
    }
    const groupId = uniqueName('eo-batch-group');
    const calls = new Map<number, number>();
    const subscription = await subscribe({
      client: kit.client,
      groupId,
      delivery: 'effectively-once',
      transactionScope: 'batch',
      inbox: new PostgresInbox(db.dataSource),
      retry,
      routes: [
        on(noted, async (event, context) => {
          const n = event.data.amountCents;
          const call = (calls.get(n) ?? 0) + 1;
          calls.set(n, call);
          const manager = entityManagerOf(context);
          await manager.query('INSERT INTO handled (group_id, n) VALUES ($1, $2)', [groupId, n]);
          await query(n, manager);
          const error = fail(n, call);
          if (error) throw error;
        }),
      ],
      codec: kit.codec,
      producer: kit.producer,
      admin: kit.admin,
      runner: { consumer: { fetchMaxWaitMs: 100 } },
    });
    kit.subscriptions.push(subscription);
    return { groupId, subscription, calls };
  }

  /** The handled rows in order, grouped by the transaction that committed them. */
  async function committedTogether(groupId: string): Promise<number[][]> {
    const rows = (await db.dataSource.query(
      'SELECT n, xmin::text AS tx FROM handled WHERE group_id = $1 ORDER BY n',
      [groupId],
    )) as { n: number; tx: string }[];
    const byTx = new Map<string, number[]>();
    for (const { n, tx } of rows) byTx.set(tx, [...(byTx.get(tx) ?? []), n]);
    return [...byTx.values()].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  }

  const inboxCount = async (groupId: string) =>
    Number(
      (
        (await db.dataSource.query('SELECT count(*) AS n FROM messaging_inbox WHERE consumer_group = $1', [
          groupId,
        ])) as { n: string }[]
      )[0]?.n,
    );

  it('isolates a non-retriable failure in the middle: it alone is dead-lettered on attempt 1, the rest commit', async () => {
    const { groupId, subscription } = await scenario((n) =>
      n === 5 ? new NonRetriableError('bad order') : undefined,
    );

    await waitFor(async () => (await inboxCount(groupId)) === 9, { description: 'nine messages handled' });
    const [dead] = await kit.readAll(subscription.deadLetterTopic, 1);
    expect(dead?.headers[DEAD_LETTER_HEADERS.attempts]?.toString()).toBe('1');
    expect(dead?.headers[DEAD_LETTER_HEADERS.errorCode]?.toString()).toBe('HANDLER_NON_RETRIABLE');
    // 1-4 committed together when 5 failed; 6-10 in the next transaction. 5's insert was rolled back.
    expect(await committedTogether(groupId)).toEqual([
      [1, 2, 3, 4],
      [6, 7, 8, 9, 10],
    ]);
  });

  it('dead-letters a data error of the database (22P02) on attempt 1 and commits the rest', async () => {
    const { groupId, subscription } = await scenario(
      () => undefined,
      async (n, manager) => {
        // A cast no retry can fix: invalid input syntax for type uuid.
        if (n === 7) await manager.query("SELECT 'not-a-uuid'::uuid");
      },
    );

    await waitFor(async () => (await inboxCount(groupId)) === 9, { description: 'nine messages handled' });
    const [dead] = await kit.readAll(subscription.deadLetterTopic, 1);
    expect(dead?.headers[DEAD_LETTER_HEADERS.attempts]?.toString()).toBe('1');
    expect(dead?.headers[DEAD_LETTER_HEADERS.errorCode]?.toString()).toBe('POSTGRES_22P02');
    expect(await committedTogether(groupId)).toEqual([
      [1, 2, 3, 4, 5, 6],
      [8, 9, 10],
    ]);
  });

  it('handles a message that fails once and then succeeds exactly once, keeping the order', async () => {
    const { groupId, calls } = await scenario((n, call) =>
      n === 3 && call === 1 ? new HandlerError('lock timeout') : undefined,
    );

    await waitFor(async () => (await inboxCount(groupId)) === 10, { description: 'ten messages handled' });
    expect(calls.get(3)).toBe(2);
    expect(await committedTogether(groupId)).toEqual([
      [1, 2],
      [3, 4, 5, 6, 7, 8, 9, 10],
    ]);
  });
});
