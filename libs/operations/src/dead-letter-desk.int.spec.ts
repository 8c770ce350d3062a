/**
 * The desk against real Kafka and PostgreSQL: every action is audited (who, what, how many, dry runs and
 * failures too), a redriven record is marked and left out of the next redrive by filter, a job left
 * `running` by a dead process is found and resumed, and a purge of what was dealt with keeps the rest.
 */
import { randomUUID } from 'node:crypto';
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  type MigratedDatabase,
} from '@orderstream/testing';
import {
  DEAD_LETTER_HEADERS,
  ensureFailureTopics,
  NotFoundError,
  type AdminPort,
  type KafkaClient,
  type ProducerPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { DeadLetterDesk, operationsDataSourceOptions, type Actor } from './index';

const alice: Actor = { name: 'alice', via: 'cli' };

describe('DeadLetterDesk', () => {
  const infra = testInfrastructure();
  let db: MigratedDatabase;
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let desk: DeadLetterDesk;

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'ops_desk', operationsDataSourceOptions);
    client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'ops-desk-test' });
    admin = client.admin();
    producer = client.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    desk = new DeadLetterDesk({
      client,
      dataSource: db.dataSource,
      decode: async (record) => JSON.parse(record.value?.toString('utf8') ?? 'null') as unknown,
    });
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await db?.dispose();
  });

  /** A group with failure topics and dead-letter records written directly (JSON values, for decoding). */
  async function deadLettered(codes: readonly string[]) {
    const groupId = uniqueName('desk');
    const source = await createTestTopic(admin, 'desk.source', { partitions: 1 });
    await ensureFailureTopics(admin, groupId, { policy: { delaysMs: [100] }, partitions: 1 });
    await producer.send(
      `${groupId}.dlt`,
      codes.map((code, i) => ({
        key: `order-${i}`,
        value: Buffer.from(JSON.stringify({ orderId: `order-${i}` })),
        headers: {
          ce_id: randomUUID(),
          ce_type: 'orderstream.test.OrderNoted',
          'x-original-topic': source,
          [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
          [DEAD_LETTER_HEADERS.reason]: 'non-retriable',
          [DEAD_LETTER_HEADERS.errorCode]: code,
          [DEAD_LETTER_HEADERS.attempts]: '1',
        },
      })),
    );
    return groupId;
  }

  const audit = async (target: string) =>
    (
      (await db.dataSource.query(
        'SELECT actor, via, action, dry_run, affected, outcome FROM ops_audit WHERE target = $1 ORDER BY id',
        [target],
      )) as Record<string, unknown>[]
    ).map((row) => ({ ...row }));

  it('audits each action, marks what it redrove and leaves it out of the next redrive', async () => {
    const groupId = await deadLettered(['VALIDATION_FAILED', 'NOT_FOUND', 'NOT_FOUND']);

    const shown = await desk.show(`${groupId}.dlt:0:1`, alice);
    expect(shown.payload).toEqual({ decoded: { orderId: 'order-1' } });
    expect(shown.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('NOT_FOUND');
    expect(shown.message.status).toBe('failed');

    const dry = await desk.redrive({
      actor: alice,
      groupId,
      filter: { errorCode: 'NOT_FOUND' },
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, redriven: 2, skipped: 1 });
    expect(dry.job).toBeUndefined();

    const done = await desk.redrive({ actor: alice, groupId, filter: { errorCode: 'NOT_FOUND' } });
    expect(done).toMatchObject({ redriven: 2, skipped: 1 });
    expect(done.job).toMatchObject({ status: 'completed', redriven: 2, quarantined: 0, skipped: 1 });

    const listing = await desk.list({ groups: [groupId], includeHandled: true });
    expect(listing.messages.map((m) => [m.offset, m.status])).toEqual([
      ['0', 'failed'],
      ['1', 'redriven'],
      ['2', 'redriven'],
    ]);
    expect(listing.groups[0]).toMatchObject({ total: 3, pending: 1 });
    expect((await desk.list({ groups: [groupId] })).messages.map((m) => m.offset)).toEqual(['0']);

    // Everything now: only the one nobody redrove yet.
    const rest = await desk.redrive({ actor: { name: 'bob', via: 'api' }, groupId });
    expect(rest).toMatchObject({ redriven: 1, skipped: 2 });

    expect(await audit(groupId)).toEqual([
      { actor: 'alice', via: 'cli', action: 'dlt.redrive', dry_run: true, affected: 2, outcome: 'ok' },
      { actor: 'alice', via: 'cli', action: 'dlt.redrive', dry_run: false, affected: 2, outcome: 'ok' },
      { actor: 'bob', via: 'api', action: 'dlt.redrive', dry_run: false, affected: 1, outcome: 'ok' },
    ]);
    expect(await audit(`${groupId}.dlt:0:1`)).toEqual([
      { actor: 'alice', via: 'cli', action: 'dlt.show', dry_run: false, affected: 1, outcome: 'ok' },
    ]);
  });

  it('resumes a job a dead process left running, and purges only what was dealt with', async () => {
    const groupId = await deadLettered(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    await desk.redrive({ actor: alice, groupId, filter: { ids: [`${groupId}.dlt:0:0`] } });

    // A job row as a process leaves it when it dies before its first transaction.
    const jobId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO ops_redrive_jobs (job_id, group_id, actor, filter, until, max_redrives, include_redriven, status)
       VALUES ($1, $2, 'alice', '{}', $3, 3, false, 'running')`,
      [jobId, groupId, JSON.stringify([{ partition: 0, offset: '3' }])],
    );
    expect((await desk.unfinishedJobs()).map((j) => j.jobId)).toContain(jobId);
    const resumed = await desk.resume(jobId, { name: 'ops-service', via: 'api' });
    expect(resumed).toMatchObject({ redriven: 2, skipped: 1 });
    expect(resumed.job).toMatchObject({ status: 'completed', redriven: 2 });
    expect((await desk.unfinishedJobs()).map((j) => j.jobId)).not.toContain(jobId);

    expect(await desk.handledPrefix(groupId)).toEqual([{ partition: 0, offset: '3' }]);
    const purged = await desk.purge({
      actor: alice,
      groupId,
      upTo: { kind: 'offsets', offsets: await desk.handledPrefix(groupId) },
    });
    expect(purged.deleted).toBe(3);
    expect((await desk.list({ groups: [groupId], includeHandled: true })).groups[0]).toMatchObject({
      total: 0,
    });

    await expect(desk.show(`${groupId}.dlt:0:0`, alice)).rejects.toBeInstanceOf(NotFoundError);
    await expect(desk.resume(randomUUID(), alice)).rejects.toBeInstanceOf(NotFoundError);
  });
});
