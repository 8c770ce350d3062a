/**
 * Dead-letter operations against the real broker, registry and PostgreSQL: a message one group failed is
 * listed with its failure, redriven through that group's retry path, handled exactly once there and never
 * again in another group reading the same topic; a message redriven too often is quarantined; a redrive job
 * that crashes resumes where its last transaction ended; a purge deletes what it says.
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
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  DEAD_LETTER_HEADERS,
  ensureFailureTopics,
  listDeadLetters,
  on,
  purgeDeadLetters,
  QUARANTINE_HEADERS,
  quarantineTopicName,
  readDeadLetter,
  readRecords,
  REDRIVE_HEADERS,
  redriveDeadLetters,
  redriveEnd,
  RETRY_HEADERS,
  subscribe,
  TransportError,
  type EventDefinition,
  type RetryPolicy,
} from '../src';
import { entityManagerOf, messagingMigrations, PostgresInbox } from '../src/postgres';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

class CreateHandled1765900000000 implements MigrationInterface {
  name = 'CreateHandled1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE handled (consumer_group text NOT NULL, event_id text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE handled');
  }
}

/** One quick retry topic, so a failure passes the retry path before it is dead-lettered. */
const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [100] };

describe('dead-letter operations', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: MigratedDatabase;

  beforeAll(async () => {
    kit = await openMessagingKit('dead-letter-redrive');
    db = await createMigratedDatabase(infra.postgresUrl, 'dead_letter_redrive', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations(), CreateHandled1765900000000],
      migrationsTransactionMode: 'all',
    }));
  });

  afterAll(async () => {
    await kit?.close();
    await db?.dispose();
  });

  const handled = async (groupId: string, eventId?: string): Promise<number> => {
    const rows = (await db.dataSource.query(
      'SELECT count(*) AS n FROM handled WHERE consumer_group = $1 AND ($2::text IS NULL OR event_id = $2)',
      [groupId, eventId ?? null],
    )) as { n: string }[];
    return Number(rows[0]?.n);
  };

  const endOf = async (topic: string): Promise<number> =>
    (await kit.admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);

  /** Every record in a topic now, oldest first (the topics here get one record at a time). */
  const allRecords = async (topic: string) =>
    (
      await readRecords(
        kit.client,
        (await kit.admin.fetchPartitionRanges(topic)).map((r) => ({
          topic,
          partition: r.partition,
          fromOffset: r.start,
          toOffset: r.end,
        })),
      )
    ).sort((a, b) => Number(a.timestamp) - Number(b.timestamp));

  const committedOf = async (groupId: string, topic: string): Promise<number> =>
    (await kit.admin.fetchCommittedOffsets(groupId, topic)).reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );

  it('redrives a failed message to the failing group only: handled once there, never again in the other group', async () => {
    const topic = await createTestTopic(kit.admin, 'redrive.orders', { partitions: 2 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const failing = uniqueName('redrive-failing');
    const bystander = uniqueName('redrive-bystander');
    let switchOn = true;
    const consume = (groupId: string, failWhen: (orderId: string) => boolean) =>
      subscribe({
        client: kit.client,
        groupId,
        routes: [
          on(noted, async (event, context) => {
            if (failWhen(event.data.orderId)) throw new TransportError('downstream is down (switch on)');
            await entityManagerOf(context).query(
              'INSERT INTO handled (consumer_group, event_id) VALUES ($1, $2)',
              [groupId, event.id],
            );
          }),
        ],
        delivery: 'effectively-once',
        inbox: new PostgresInbox(db.dataSource),
        retry,
        codec: kit.codec,
        producer: kit.producer,
        admin: kit.admin,
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      });
    kit.subscriptions.push(
      await consume(failing, (orderId) => switchOn && orderId === 'poison'),
      await consume(bystander, () => false),
    );

    const [good1, poison, good2] = await Promise.all(
      ['good-1', 'poison', 'good-2'].map(
        async (orderId) =>
          (await kit.publisher.publish(noted, { orderId, amountCents: 100, note: null })).envelope,
      ),
    );
    const dlt = `${failing}.dlt`;
    await waitFor(async () => (await endOf(dlt)) === 1, { description: 'the poison message dead-lettered' });
    await waitFor(async () => (await handled(bystander)) === 3 && (await handled(failing)) === 2, {
      description: 'the other messages handled in both groups',
    });

    const listing = await listDeadLetters(kit.client, { groups: [failing, bystander] });
    expect(listing.groups).toEqual([
      { groupId: bystander, topic: `${bystander}.dlt`, total: 0, byErrorCode: [] },
      {
        groupId: failing,
        topic: dlt,
        total: 1,
        byErrorCode: [{ errorCode: 'MESSAGING_TRANSPORT', count: 1 }],
      },
    ]);
    expect(listing.messages).toHaveLength(1);
    const [failed] = listing.messages;
    expect(failed).toMatchObject({
      topic: dlt,
      groupId: failing,
      key: 'poison',
      eventId: poison?.id,
      eventType: noted.type,
      reason: 'retries-exhausted',
      errorCode: 'MESSAGING_TRANSPORT',
      errorMessage: 'downstream is down (switch on)',
      attempts: 2,
      original: { topic },
      redriveCount: 0,
    });
    const shown = await readDeadLetter(kit.client, failed?.id ?? '');
    expect(shown?.message).toEqual(failed);

    switchOn = false;
    const retryTopic = `${failing}.retry.1`;
    const retryRecordsBefore = await endOf(retryTopic);
    expect(retryRecordsBefore).toBe(1);

    const dry = await redriveDeadLetters(kit.client, {
      groupId: failing,
      jobId: 'dry',
      until: await redriveEnd(kit.client, failing),
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, scanned: 1, redriven: 1, quarantined: 0, skipped: 0 });
    expect(await endOf(retryTopic)).toBe(retryRecordsBefore);
    expect(await committedOf(`${failing}.redrive.dry`, dlt)).toBe(0);

    const first = await redriveDeadLetters(kit.client, {
      groupId: failing,
      jobId: randomUUID(),
      until: await redriveEnd(kit.client, failing),
      filter: { eventIds: [poison?.id ?? ''] },
    });
    expect(first).toMatchObject({ scanned: 1, redriven: 1, quarantined: 0, skipped: 0 });
    expect(first.outcomes).toEqual([
      {
        id: failed?.id,
        eventId: poison?.id,
        eventType: noted.type,
        errorCode: 'MESSAGING_TRANSPORT',
        redriveCount: 0,
        action: 'redriven',
      },
    ]);
    await waitFor(async () => (await handled(failing, poison?.id)) === 1, {
      description: 'the redriven message handled by the failing group',
    });

    // The same message redriven again (an operator's second click): the group's inbox takes it once.
    const again = await redriveDeadLetters(kit.client, {
      groupId: failing,
      jobId: randomUUID(),
      until: await redriveEnd(kit.client, failing),
    });
    expect(again).toMatchObject({ redriven: 1 });
    // The retry topic: the first failure's retry record, then the two redrives (each behind its own
    // transaction's commit marker, which is why its offsets are not 0, 1, 2).
    const retried = await allRecords(retryTopic);
    expect(retried.map((r) => r.headers[REDRIVE_HEADERS.count]?.toString())).toEqual([undefined, '1', '1']);
    // Through to the log end: the group commits past each redrive's commit marker, so its lag is 0.
    const ends = await kit.admin.fetchEndOffsets(retryTopic);
    await waitFor(
      async () => {
        const committed = await kit.admin.fetchCommittedOffsets(failing, retryTopic);
        const at = (partition: number): bigint =>
          BigInt(committed.find((c) => c.partition === partition)?.offset ?? '-1');
        // A partition nothing was written to has no commit (-1) and nothing to consume.
        return ends.every((end) =>
          end.offset === '0' ? at(end.partition) <= 0n : at(end.partition) === BigInt(end.offset),
        );
      },
      { description: 'the failing group at the end of its retry topic' },
    );

    expect(await handled(failing, poison?.id)).toBe(1);
    expect(await handled(failing)).toBe(3);
    for (const event of [good1, poison, good2]) expect(await handled(bystander, event?.id)).toBe(1);
    expect(await handled(bystander)).toBe(3);
    expect(await endOf(dlt)).toBe(1);
    const redriven = retried[1];
    expect(redriven?.headers[REDRIVE_HEADERS.count]?.toString()).toBe('1');
    expect(redriven?.headers[REDRIVE_HEADERS.from]?.toString()).toBe(failed?.id);
    expect(redriven?.headers['ce_id']?.toString()).toBe(poison?.id);
    expect(redriven?.headers[RETRY_HEADERS.attempt]?.toString()).toBe('3');
  });

  /** A group with failure topics and `count` dead-letter records written directly, nobody consuming it. */
  async function deadLettered(count: number, redriveCount = 0) {
    const groupId = uniqueName('redrive-direct');
    const source = await createTestTopic(kit.admin, 'redrive.direct', { partitions: 1 });
    await ensureFailureTopics(kit.admin, groupId, { policy: retry, partitions: 1 });
    const ids = Array.from({ length: count }, () => randomUUID());
    await kit.producer.send(
      `${groupId}.dlt`,
      ids.map((id, i) => ({
        key: `order-${i}`,
        value: Buffer.from([i]),
        headers: {
          ce_id: id,
          ce_type: 'orderstream.test.OrderNoted',
          'x-original-topic': source,
          'x-original-partition': '0',
          'x-original-offset': String(i),
          [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
          [DEAD_LETTER_HEADERS.reason]: 'non-retriable',
          [DEAD_LETTER_HEADERS.errorCode]: i % 2 === 0 ? 'VALIDATION_FAILED' : 'NOT_FOUND',
          [DEAD_LETTER_HEADERS.attempts]: '1',
          ...(redriveCount > 0 ? { [REDRIVE_HEADERS.count]: String(redriveCount) } : {}),
        },
      })),
    );
    return { groupId, ids };
  }

  it('quarantines a message that reached the redrive cap instead of redriving it', async () => {
    const { groupId, ids } = await deadLettered(1, 3);
    const report = await redriveDeadLetters(kit.client, {
      groupId,
      jobId: randomUUID(),
      until: await redriveEnd(kit.client, groupId),
      maxRedrives: 3,
    });
    expect(report).toMatchObject({ scanned: 1, redriven: 0, quarantined: 1 });
    expect(await endOf(`${groupId}.retry.1`)).toBe(0);
    const [quarantined] = await kit.readAll(quarantineTopicName(groupId), 1);
    expect(quarantined?.headers['ce_id']?.toString()).toBe(ids[0]);
    expect(quarantined?.headers[QUARANTINE_HEADERS.reason]?.toString()).toBe('redriven 3 times (cap 3)');
  });

  it('resumes a crashed redrive job where its last transaction ended: every record redriven exactly once', async () => {
    const { groupId, ids } = await deadLettered(5);
    const jobId = randomUUID();
    const until = await redriveEnd(kit.client, groupId);
    let commits = 0;
    const crashed = redriveDeadLetters(kit.client, {
      groupId,
      jobId,
      until,
      chunkSize: 1,
      onCommitted: async () => {
        commits += 1;
        if (commits === 2) throw new Error('simulated crash after the second transaction');
      },
    });
    await expect(crashed).rejects.toThrow('simulated crash');

    const resumed = await redriveDeadLetters(kit.client, { groupId, jobId, until, chunkSize: 2 });
    expect(resumed).toMatchObject({ scanned: 3, redriven: 3, quarantined: 0, skipped: 0 });

    const redriven = await allRecords(`${groupId}.retry.1`);
    expect(redriven.map((r) => r.headers['ce_id']?.toString())).toEqual(ids);
    expect(redriven.map((r) => r.headers[REDRIVE_HEADERS.from]?.toString())).toEqual(
      ids.map((_, i) => `${groupId}.dlt:0:${i}`),
    );
  });

  it('selects by error code, and purges what it says', async () => {
    const { groupId } = await deadLettered(4);
    const listing = await listDeadLetters(kit.client, {
      groups: [groupId],
      filter: { errorCode: 'NOT_FOUND' },
    });
    expect(listing.groups).toEqual([
      { groupId, topic: `${groupId}.dlt`, total: 4, byErrorCode: [{ errorCode: 'NOT_FOUND', count: 2 }] },
    ]);
    expect(listing.messages.map((m) => m.offset)).toEqual(['1', '3']);

    const dry = await purgeDeadLetters(kit.client, { groupId, upTo: { kind: 'all' }, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, deleted: 4 });
    expect((await listDeadLetters(kit.client, { groups: [groupId] })).groups[0]?.total).toBe(4);

    const purged = await purgeDeadLetters(kit.client, {
      groupId,
      upTo: { kind: 'offsets', offsets: [{ partition: 0, offset: '3' }] },
    });
    expect(purged.partitions).toEqual([{ partition: 0, start: '0', newStart: '3', deleted: 3 }]);
    const after = await listDeadLetters(kit.client, { groups: [groupId] });
    expect(after.groups[0]?.total).toBe(1);
    expect(after.messages.map((m) => m.offset)).toEqual(['3']);
  });
});
