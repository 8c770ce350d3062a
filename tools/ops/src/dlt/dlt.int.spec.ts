/**
 * `npm run ops -- dlt …` as an operator runs it: the real command line in a child process, against the real
 * broker, schema registry and an ops database of the test's own, on dead-letter records the test writes to
 * a group's `<group>.dlt` itself (one of them a real contract's Avro envelope, so `show` decodes through the
 * registry). The desk's semantics are its own int test's; here, that the command line reaches them, prints
 * what they did, and exits with the documented codes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ordersEvents, type OrderPlaced } from '@orderstream/contracts';
import {
  AvroCodec,
  DEAD_LETTER_HEADERS,
  EnvelopeCodec,
  ORIGINAL_HEADERS,
  REDRIVE_HEADERS,
  ensureFailureTopics,
  readRecords,
  type AdminPort,
  type ConsumedRecord,
  type KafkaClient,
  type OutgoingRecord,
  type ProducerPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import {
  operationsDataSourceOptions,
  type AuditRecord,
  type DeskListing,
  type DeskRedriveReport,
  type RedriveJob,
  type ShownDeadLetter,
} from '@orderstream/operations';
import {
  createMigratedDatabase,
  testInfrastructure,
  uniqueName,
  type MigratedDatabase,
} from '@orderstream/testing';
import type { PurgeReport } from '@orderstream/messaging';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../..');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

jest.setTimeout(120_000);

describe('npm run ops -- dlt', () => {
  const infra = testInfrastructure();
  let db: MigratedDatabase;
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let groupId: string;
  let dlt: string;
  let retryTopic: string;
  /** The records written to the dead-letter topic, by offset. */
  let written: OutgoingRecord[];
  let placed: OrderPlaced;
  const failedAt = Date.UTC(2026, 0, 31, 12, 0, 0);

  /** The real command line, as `npm run ops` starts it, with the test's infrastructure and database. */
  async function ops(...argv: string[]): Promise<Ran> {
    const env = {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      OPS_DATABASE_URL: (db.dataSource.options as { url: string }).url,
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '',
    };
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--conditions=@orderstream/source', '--import', 'tsx', 'tools/ops/src/ops.cli.ts', 'dlt', ...argv],
        { cwd: ROOT, env, timeout: 90_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async function opsJson<T>(...argv: string[]): Promise<T> {
    const result = await ops(...argv, '--json');
    expect(result).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout) as T;
  }

  const recordsOf = async (topic: string): Promise<ConsumedRecord[]> =>
    readRecords(
      client,
      (await admin.fetchPartitionRanges(topic)).map((r) => ({
        topic,
        partition: r.partition,
        fromOffset: r.start,
        toOffset: r.end,
      })),
    );

  /** A header as text, from an outgoing (string or bytes) or a consumed (bytes) record. */
  const text = (
    headers: Readonly<Record<string, string | Buffer | undefined>> | undefined,
    name: string,
  ): string | undefined => headers?.[name]?.toString();

  /** Failure headers as the failure middleware writes them, on top of the envelope's own. */
  const deadLettered = (
    record: OutgoingRecord,
    errorCode: string,
    originalOffset: number,
  ): OutgoingRecord => ({
    ...record,
    headers: {
      ...record.headers,
      [ORIGINAL_HEADERS.topic]: 'orders.events',
      [ORIGINAL_HEADERS.partition]: '0',
      [ORIGINAL_HEADERS.offset]: String(originalOffset),
      [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
      [DEAD_LETTER_HEADERS.reason]: 'non-retriable',
      [DEAD_LETTER_HEADERS.errorCode]: errorCode,
      [DEAD_LETTER_HEADERS.errorClass]: errorCode === 'NOT_FOUND' ? 'NotFoundError' : 'ValidationError',
      [DEAD_LETTER_HEADERS.errorMessage]: `${errorCode} in the test`,
      [DEAD_LETTER_HEADERS.attempts]: '1',
      [DEAD_LETTER_HEADERS.firstFailureAt]: String(failedAt),
      [DEAD_LETTER_HEADERS.lastFailureAt]: String(failedAt + 1_000),
    },
  });

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'ops_dlt_cli', operationsDataSourceOptions);
    client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'ops-dlt-int' });
    admin = client.admin();
    producer = client.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    groupId = uniqueName('ops-dlt');
    dlt = `${groupId}.dlt`;
    retryTopic = `${groupId}.retry.1`;
    await ensureFailureTopics(admin, groupId, { policy: { delaysMs: [100] }, partitions: 1 });

    // Real envelopes of a real contract, Avro through the registry, as the failing group consumed them.
    const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const order = (): OrderPlaced => ({
      orderId: randomUUID(),
      customerId: 'customer-7',
      lines: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 1_250 }],
      totalCents: 2_500,
      currency: 'EUR',
      placedAt: failedAt - 60_000,
    });
    const source = { source: '/orderstream/orders' };
    placed = order();
    // Offsets 0 and 1 fail with NOT_FOUND, offset 2 with VALIDATION_FAILED (the one `show` reads).
    written = [
      deadLettered(await codec.encode(ordersEvents.OrderPlaced, order(), source), 'NOT_FOUND', 40),
      deadLettered(await codec.encode(ordersEvents.OrderPlaced, order(), source), 'NOT_FOUND', 41),
      deadLettered(await codec.encode(ordersEvents.OrderPlaced, placed, source), 'VALIDATION_FAILED', 42),
    ];
    for (const record of written) await producer.send(dlt, [record]);
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await db?.dispose();
  });

  const ceId = (offset: number): string | undefined => text(written[offset]?.headers, 'ce_id');

  it('lists the group: a summary by error code and a row per message with its failure headers', async () => {
    const listing = await opsJson<DeskListing>('list', '--group', groupId);
    expect(listing.groups).toEqual([
      {
        groupId,
        topic: dlt,
        total: 3,
        pending: 3,
        byErrorCode: [
          { errorCode: 'NOT_FOUND', count: 2 },
          { errorCode: 'VALIDATION_FAILED', count: 1 },
        ],
      },
    ]);
    expect(listing.messages.map((m) => [m.id, m.eventId, m.errorCode, m.status])).toEqual([
      [`${dlt}:0:0`, ceId(0), 'NOT_FOUND', 'failed'],
      [`${dlt}:0:1`, ceId(1), 'NOT_FOUND', 'failed'],
      [`${dlt}:0:2`, ceId(2), 'VALIDATION_FAILED', 'failed'],
    ]);
    expect(listing.messages[2]).toMatchObject({
      eventType: 'orderstream.orders.OrderPlaced',
      reason: 'non-retriable',
      attempts: 1,
      original: { topic: 'orders.events', partition: 0, offset: '42' },
      firstFailureAt: failedAt,
      lastFailureAt: failedAt + 1_000,
      redriveCount: 0,
    });

    const table = await ops('list', '--group', groupId, '--error-code', 'VALIDATION_FAILED');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^GROUP\s+TOPIC\s+RECORDS\s+PENDING\s+BY ERROR CODE$/);
    expect(lines[1]).toMatch(new RegExp(`^${groupId}\\s+${dlt}\\s+3\\s+1\\s+VALIDATION_FAILED 1$`));
    const row = lines.find((line) => line.startsWith(`${dlt}:0:2 `));
    expect(row?.split(/\s{2,}/)).toEqual([
      `${dlt}:0:2`,
      'orderstream.orders.OrderPlaced',
      ceId(2),
      'VALIDATION_FAILED',
      'non-retriable',
      '1',
      'orders.events/0/42',
      '2026-01-31T12:00:00.000Z',
      '2026-01-31T12:00:01.000Z',
      '0',
      'failed',
    ]);
    expect(lines.some((line) => line.startsWith(`${dlt}:0:0 `))).toBe(false);
  });

  it('shows one message with its headers and its payload decoded through the schema registry', async () => {
    const shown = await opsJson<ShownDeadLetter>('show', `${dlt}:0:2`, '--actor', 'alice');
    expect(shown.payload).toEqual({
      decoded: expect.objectContaining({
        type: 'orderstream.orders.OrderPlaced',
        id: ceId(2),
        subject: placed.orderId,
        data: placed,
      }) as unknown,
    });
    expect(shown.headers).toMatchObject({
      ce_id: ceId(2),
      [DEAD_LETTER_HEADERS.errorCode]: 'VALIDATION_FAILED',
      [ORIGINAL_HEADERS.offset]: '42',
    });
    expect(shown.message).toMatchObject({ id: `${dlt}:0:2`, status: 'failed' });

    const table = await ops('show', `${dlt}:0:2`, '--actor', 'alice');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('payload (decoded through the schema registry):');
    expect(table.stdout).toContain(`"orderId": "${placed.orderId}"`);
    expect(table.stdout).toMatch(/^error\s+VALIDATION_FAILED \(ValidationError\)$/m);
  });

  it('dry-runs a redrive: says what it would do and writes nothing to the retry topic', async () => {
    const dry = await opsJson<DeskRedriveReport>(
      'redrive',
      '--group',
      groupId,
      '--id',
      `${dlt}:0:0`,
      '--dry-run',
      '--actor',
      'alice',
    );
    expect(dry).toMatchObject({ dryRun: true, scanned: 3, redriven: 1, quarantined: 0, skipped: 2 });
    expect(dry.outcomes.map((o) => [o.id, o.action])).toEqual([[`${dlt}:0:0`, 'redriven']]);
    expect(dry.job).toBeUndefined();
    expect(await recordsOf(retryTopic)).toEqual([]);
  });

  it('redrives one message by id: exactly one record on <group>.retry.1, same ce_id, x-redrive-count 1', async () => {
    const result = await ops('redrive', '--group', groupId, '--id', `${dlt}:0:0`, '--actor', 'alice');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^redrive job [0-9a-f-]{36} of group ${groupId}: redriven 1, quarantined 0, skipped 2 \\(of 3 read\\); job completed$`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(new RegExp(`^${dlt}:0:0\\s.*\\sredriven$`, 'm'));
    // The audit line in the log (stderr), beside its row in the table.
    const logged = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        audit: true,
        actor: 'alice',
        via: 'cli',
        action: 'dlt.redrive',
        target: groupId,
        affected: 1,
      }),
    );

    const retried = await recordsOf(retryTopic);
    expect(retried).toHaveLength(1);
    expect(text(retried[0]?.headers, 'ce_id')).toBe(ceId(0));
    expect(text(retried[0]?.headers, REDRIVE_HEADERS.count)).toBe('1');
    expect(text(retried[0]?.headers, REDRIVE_HEADERS.from)).toBe(`${dlt}:0:0`);
  });

  it('redrives by filter, leaving out the message redriven already', async () => {
    const report = await opsJson<DeskRedriveReport>(
      'redrive',
      '--group',
      groupId,
      '--error-code',
      'NOT_FOUND',
      '--actor',
      'bob',
    );
    expect(report).toMatchObject({ dryRun: false, redriven: 1, quarantined: 0, skipped: 2 });
    expect(report.outcomes.map((o) => [o.id, o.eventId, o.action])).toEqual([
      [`${dlt}:0:1`, ceId(1), 'redriven'],
    ]);
    expect(report.job).toMatchObject({ status: 'completed', actor: 'bob', redriven: 1 });

    const retried = await recordsOf(retryTopic);
    expect(retried.map((r) => text(r.headers, 'ce_id'))).toEqual([ceId(0), ceId(1)]);

    const pending = await opsJson<DeskListing>('list', '--group', groupId);
    expect(pending.messages.map((m) => m.id)).toEqual([`${dlt}:0:2`]);
    expect(pending.groups[0]).toMatchObject({ total: 3, pending: 1 });
    const all = await opsJson<DeskListing>('list', '--group', groupId, '--all');
    expect(all.messages.map((m) => [m.id, m.status])).toEqual([
      [`${dlt}:0:0`, 'redriven'],
      [`${dlt}:0:1`, 'redriven'],
      [`${dlt}:0:2`, 'failed'],
    ]);

    const jobs = await opsJson<{ jobs: RedriveJob[] }>('jobs');
    expect(jobs.jobs.map((j) => [j.groupId, j.actor, j.status, j.redriven, j.skipped])).toEqual([
      [groupId, 'bob', 'completed', 1, 2],
      [groupId, 'alice', 'completed', 1, 2],
    ]);
  });

  it('purges what was dealt with (--handled) and keeps the rest', async () => {
    const dry = await opsJson<PurgeReport>('purge', '--group', groupId, '--handled', '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, deleted: 2 });
    expect((await recordsOf(dlt)).map((r) => r.offset)).toEqual(['0', '1', '2']);

    const purged = await ops('purge', '--group', groupId, '--handled', '--actor', 'carol');
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(new RegExp(`^deleted 2 record\\(s\\) from ${dlt}$`, 'm'));
    expect((await recordsOf(dlt)).map((r) => r.offset)).toEqual(['2']);
  });

  it('keeps the audit trail: who did what to which group, dry run or not, and how many', async () => {
    const { entries } = await opsJson<{ entries: AuditRecord[] }>('audit', '--limit', '50');
    expect(
      entries
        .reverse()
        .map((e) => [e.actor.name, e.actor.via, e.action, e.target, e.dryRun, e.affected, e.outcome]),
    ).toEqual([
      ['alice', 'cli', 'dlt.show', `${dlt}:0:2`, false, 1, 'ok'],
      ['alice', 'cli', 'dlt.show', `${dlt}:0:2`, false, 1, 'ok'],
      ['alice', 'cli', 'dlt.redrive', groupId, true, 1, 'ok'],
      ['alice', 'cli', 'dlt.redrive', groupId, false, 1, 'ok'],
      ['bob', 'cli', 'dlt.redrive', groupId, false, 1, 'ok'],
      [expect.any(String), 'cli', 'dlt.purge', groupId, true, 2, 'ok'],
      ['carol', 'cli', 'dlt.purge', groupId, false, 2, 'ok'],
    ]);
    const table = await ops('audit');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^AT\s+ACTOR\s+VIA\s+ACTION\s+TARGET\s+DRY RUN\s+AFFECTED\s+OUTCOME$/,
    );
    expect(table.stdout).toMatch(new RegExp(`\\scarol\\s+cli\\s+dlt\\.purge\\s+${groupId}\\s+no\\s+2\\s+ok`));
  });

  it('exits 2 on a usage mistake and 1 with one line for what does not exist, never a stack trace', async () => {
    const usage = await ops('redrive', '--group', groupId);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toContain('dlt: redrive needs a selection');

    const missing = await ops('show', `${dlt}:0:99`);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`dlt: No dead-letter message ${dlt}:0:99 (purged, or never there)\n`);

    const noGroup = await ops('redrive', '--group', `${groupId}-none`, '--all');
    expect(noGroup).toMatchObject({ code: 1, stdout: '' });
    expect(noGroup.stderr).toBe(`dlt: No dead-letter topic for group(s) ${groupId}-none\n`);

    const noJob = await ops('redrive', '--resume', randomUUID());
    expect(noJob.code).toBe(1);
    expect(noJob.stderr).toMatch(/^dlt: No redrive job [0-9a-f-]{36}\n$/);
  });
});
