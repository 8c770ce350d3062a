/**
 * The outbox relay against real PostgreSQL, Kafka and the schema registry: rows written by the real
 * OutboxWriter reach Kafka exactly as encoded and exactly once, NOTIFY wakes the relay long before its
 * poll, a late-committing lower sequence is not skipped, and with two relays on one source exactly one
 * publishes at a time, a hand-over loses nothing and per-aggregate order holds on the topic.
 */
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  AvroCodec,
  plainLogger,
  type AdminPort,
  type ConsumedRecord,
  type EventDefinition,
  type ProducerPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { createTestDatabase, createTestTopic, testInfrastructure, waitFor } from '@orderstream/testing';

import {
  messagingMigrations,
  OutboxRetention,
  RelayMetrics,
  SourceRelay,
  type SourceRelayOptions,
} from '@orderstream/messaging/postgres';
import {
  accountNoted,
  createSourceDatabase,
  header,
  TopicReader,
  type AccountNoted,
  type SourceDatabase,
} from './relay-support';

const LONG_POLL_MS = 60_000;

describe('SourceRelay', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'outbox-relay-test' });
  const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  let admin: AdminPort;
  let source: SourceDatabase;
  let topic: string;
  let definition: EventDefinition<AccountNoted>;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    admin = client.admin();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());

  beforeEach(async () => {
    source = await createSourceDatabase(infra.postgresUrl, infra.schemaRegistryUrl);
    topic = await createTestTopic(admin, 'relay.accounts', { partitions: 3 });
    definition = accountNoted(topic);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await source.dispose();
  });

  async function connectedProducer(): Promise<ProducerPort> {
    const producer = client.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    return producer;
  }

  async function startedRelay(
    options: Partial<SourceRelayOptions> = {},
  ): Promise<{ relay: SourceRelay; metrics: RelayMetrics; registry: Registry }> {
    const registry = new Registry();
    const metrics = new RelayMetrics(registry);
    const relay = new SourceRelay({
      source: 'accounts',
      connection: source.url,
      producer: await connectedProducer(),
      pollIntervalMs: LONG_POLL_MS,
      lockRetryIntervalMs: 200,
      backlogIntervalMs: 1,
      metrics,
      ...options,
    });
    cleanups.push(() => relay.stop());
    await relay.start();
    return { relay, metrics, registry };
  }

  async function startedReader(): Promise<TopicReader> {
    const reader = new TopicReader(client, topic);
    cleanups.push(() => reader.stop());
    await reader.start();
    return reader;
  }

  /** Every record on the topic, counted by the broker: proves "exactly" without waiting for more. */
  async function recordsOnTopic(): Promise<number> {
    const ends = await admin.fetchEndOffsets(topic);
    return ends.reduce((sum, { offset }) => sum + Number(offset), 0);
  }

  /** A sample's value by its full name (`…_count` of a histogram too) and labels; undefined if none. */
  const metricValue = async (registry: Registry, name: string, labels: Record<string, string> = {}) => {
    const samples = (await registry.getMetricsAsJSON()).flatMap((metric) =>
      metric.values.map((value) => ({
        ...value,
        name: (value as { metricName?: string }).metricName ?? metric.name,
      })),
    );
    return samples.find(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected),
    )?.value;
  };

  /**
   * The records as the topic holds them: by partition, then offset, each once (a reader that rejoins its
   * group reads again from the start, since it commits nothing). Order is only defined per partition.
   */
  const inTopicOrder = (records: ConsumedRecord[]): ConsumedRecord[] => {
    const unique = new Map(records.map((r) => [`${r.partition}:${r.offset.padStart(20, '0')}`, r]));
    return [...unique.keys()].sort().map((position) => unique.get(position) as ConsumedRecord);
  };

  it('publishes every committed row once, byte for byte as the writer encoded it, and marks it', async () => {
    const events: AccountNoted[] = [
      { accountId: 'acc-1', n: 1 },
      { accountId: 'acc-2', n: 1 },
      { accountId: 'acc-1', n: 2 },
    ];
    const entries = [];
    for (const event of events) entries.push(await source.write(definition, event));

    const { registry } = await startedRelay();
    const reader = await startedReader();
    const records = await reader.waitForCount(events.length);
    await waitFor(async () => (await source.unpublished()).length === 0, { description: 'every row marked' });

    expect(await recordsOnTopic()).toBe(events.length);
    expect(records).toHaveLength(events.length);
    for (const entry of entries) {
      const record = records.find((r) => header(r, 'ce_id') === entry.messageId) as ConsumedRecord;
      const written = source.encoder.encoded.get(entry.messageId);
      expect(record.key?.toString('utf8')).toBe(entry.key);
      expect(record.value).toEqual(written?.value);
      expect(
        Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, value?.toString()])),
      ).toEqual(written?.headers);
    }
    const decoded = await Promise.all(
      records.map(async (r) => ({
        key: r.key?.toString(),
        event: await codec.decode<AccountNoted>(r.value),
      })),
    );
    expect(decoded.filter((d) => d.key === 'acc-1').map((d) => d.event.n)).toEqual([1, 2]);

    const rows = (await source.db.dataSource.query(
      'SELECT published_at IS NOT NULL AND published_at >= created_at AS marked FROM messaging_outbox',
    )) as { marked: boolean }[];
    expect(rows).toEqual([{ marked: true }, { marked: true }, { marked: true }]);
    expect(await metricValue(registry, 'outbox_relay_published_total', { source: 'accounts', topic })).toBe(
      3,
    );
    expect(await metricValue(registry, 'outbox_relay_leader', { source: 'accounts' })).toBe(1);
    expect(await metricValue(registry, 'outbox_relay_batch_size_count', { source: 'accounts' })).toBe(1);
    expect(await metricValue(registry, 'outbox_relay_publish_latency_seconds_count')).toBe(3);
  });

  it('drains a backlog of many full batches, reading ahead while a batch is in flight, in order and once', async () => {
    // 25 rows in batches of 4: six full batches (each read ahead while the previous one is sent) and one of 1.
    const events: AccountNoted[] = [];
    for (let n = 1; n <= 5; n++) for (let a = 1; a <= 5; a++) events.push({ accountId: `acc-${a}`, n });
    for (const event of events) await source.write(definition, event);

    const { registry } = await startedRelay({ batchSize: 4 });
    const reader = await startedReader();
    const records = await reader.waitForCount(events.length);
    await waitFor(async () => (await source.unpublished()).length === 0, { description: 'every row marked' });

    expect(await recordsOnTopic()).toBe(events.length);
    const decoded = await Promise.all(
      records.map(async (r) => ({
        key: r.key?.toString(),
        n: (await codec.decode<AccountNoted>(r.value)).n,
      })),
    );
    for (let a = 1; a <= 5; a++) {
      expect(decoded.filter((d) => d.key === `acc-${a}`).map((d) => d.n)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(await metricValue(registry, 'outbox_relay_batch_size_count', { source: 'accounts' })).toBe(7);
    expect(await metricValue(registry, 'outbox_relay_published_total', { source: 'accounts', topic })).toBe(
      25,
    );
  });

  it('waits for a source whose service has not created its outbox yet: no failed round, no error line, then leads', async () => {
    // The relay starts with the services and can reach a database before its service has migrated it.
    const bare = await createTestDatabase(infra.postgresUrl, 'relay_unmigrated');
    cleanups.push(() => bare.drop());
    const lines: { level: string; message: string }[] = [];
    const at = (level: string) => (_fields: Record<string, unknown>, message: string) =>
      lines.push({ level, message });
    const logger = plainLogger({
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    });
    const { relay, registry } = await startedRelay({ connection: bare.url, pollIntervalMs: 100, logger });

    await waitFor(
      () => lines.some((l) => l.message.startsWith('outbox relay is waiting for the outbox table')),
      {
        description: 'the relay saying it waits for the table',
      },
    );
    expect(relay.status()).toEqual({ source: 'accounts', role: 'follower' });

    const service = new DataSource({ type: 'postgres', url: bare.url, migrations: messagingMigrations() });
    await service.initialize();
    cleanups.push(() => service.destroy());
    await service.runMigrations({ transaction: 'all' });
    const entry = await service.transaction((manager) =>
      source.writer.add(manager, {
        definition,
        data: { accountId: 'acc-1', n: 1 },
        aggregateType: 'Account',
      }),
    );
    const reader = await startedReader();
    const [record] = await reader.waitForCount(1);

    expect(header(record as ConsumedRecord, 'ce_id')).toBe(entry.messageId);
    expect(relay.status().role).toBe('leader');
    expect(await metricValue(registry, 'outbox_relay_batch_failures_total', { source: 'accounts' })).toBe(
      undefined,
    );
    expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(lines.filter((l) => l.message.startsWith('outbox relay is waiting'))).toHaveLength(1);
  });

  it('is woken by NOTIFY: publishes a new row long before its 60 s poll', async () => {
    const { relay } = await startedRelay();
    expect(relay.status().role).toBe('leader');
    const reader = await startedReader();

    const committedAt = Date.now();
    const entry = await source.write(definition, { accountId: 'acc-1', n: 1 });
    const [record] = await reader.waitForCount(1, 10_000);
    const elapsedMs = Date.now() - committedAt;

    expect(header(record as ConsumedRecord, 'ce_id')).toBe(entry.messageId);
    // The poll would take 60 s; anything close to it means the notification did not wake the relay.
    expect(elapsedMs).toBeLessThan(LONG_POLL_MS / 6);
  });

  it('publishes a row whose transaction commits after a higher sequence was already published', async () => {
    const { registry } = await startedRelay();
    const reader = await startedReader();

    const a = await source.writeUncommitted(definition, { accountId: 'acc-a', n: 1 });
    const b = await source.write(definition, { accountId: 'acc-b', n: 1 });
    expect(BigInt(a.entry.sequence)).toBeLessThan(BigInt(b.sequence));
    await reader.waitForCount(1);
    await waitFor(async () => (await source.unpublished()).length === 0, {
      description: "B's row marked while A's is still uncommitted",
    });

    await a.transaction.commitTransaction();
    await a.transaction.release();
    const records = await reader.waitForCount(2);

    expect(records.map((r) => header(r, 'ce_id'))).toEqual([b.messageId, a.entry.messageId]);
    expect(await source.unpublished()).toEqual([]);
    expect(await recordsOnTopic()).toBe(2);
    expect(await metricValue(registry, 'outbox_relay_published_total', { source: 'accounts', topic })).toBe(
      2,
    );
  });

  it('with two relays, exactly one publishes; the other takes over when it stops; order per aggregate holds', async () => {
    const first = await startedRelay({ pollIntervalMs: 1_000 });
    const second = await startedRelay({ pollIntervalMs: 1_000 });
    expect([first.relay.status().role, second.relay.status().role]).toEqual(['leader', 'follower']);
    const reader = await startedReader();

    // 20 aggregates, each written by its own sequential writer (the service's per-aggregate serialisation),
    // all 20 concurrently: rows of different aggregates interleave and commit out of sequence order.
    const accounts = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
    const writeRange = (from: number, to: number) =>
      Promise.all(
        accounts.map(async (accountId) => {
          for (let n = from; n <= to; n++) await source.write(definition, { accountId, n });
        }),
      );
    await writeRange(1, 10);
    await reader.waitForCount(200);
    expect(
      await metricValue(first.registry, 'outbox_relay_published_total', { source: 'accounts', topic }),
    ).toBe(200);
    expect(await metricValue(second.registry, 'outbox_relay_published_total')).toBeUndefined();
    expect(await metricValue(second.registry, 'outbox_relay_leader', { source: 'accounts' })).toBe(0);

    // Stop the leader while writes continue: the follower must take over and publish the rest.
    const writing = writeRange(11, 20);
    await first.relay.stop();
    expect(first.relay.status().role).toBe('stopped');
    await waitFor(() => second.relay.status().role === 'leader', { description: 'the follower to lead' });
    await writing;
    const records = await reader.waitForCount(400);
    await waitFor(async () => (await source.unpublished()).length === 0, { description: 'every row marked' });

    // Exactly once: a graceful stop marks its batch in flight, so nothing is sent twice.
    expect(await recordsOnTopic()).toBe(400);
    expect(new Set(records.map((r) => header(r, 'ce_id'))).size).toBe(400);
    const second_ = await metricValue(second.registry, 'outbox_relay_published_total', {
      source: 'accounts',
      topic,
    });
    const first_ = await metricValue(first.registry, 'outbox_relay_published_total', {
      source: 'accounts',
      topic,
    });
    expect((first_ ?? 0) + (second_ ?? 0)).toBe(400);
    expect(second_).toBeGreaterThan(0);

    // Per aggregate: one partition (the key decides it), and 1…20 in offset order.
    const byAccount = new Map<string, { partitions: Set<number>; ns: number[] }>();
    for (const record of inTopicOrder(records)) {
      const event = await codec.decode<AccountNoted>(record.value);
      const seen = byAccount.get(event.accountId) ?? { partitions: new Set<number>(), ns: [] };
      seen.partitions.add(record.partition);
      seen.ns.push(event.n);
      byAccount.set(event.accountId, seen);
    }
    const inOrder = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(
      Object.fromEntries([...byAccount].map(([account, seen]) => [account, [seen.partitions.size, seen.ns]])),
    ).toEqual(Object.fromEntries(accounts.map((account) => [account, [1, inOrder]])));
  });

  it('a leader whose database session dies steps down; the follower takes over; nothing is lost', async () => {
    // The old leader backs off for its (longer) retry interval before reconnecting: the follower wins.
    const first = await startedRelay({ pollIntervalMs: 1_000, lockRetryIntervalMs: 3_000 });
    const second = await startedRelay({ pollIntervalMs: 1_000 });
    expect(first.relay.status().role).toBe('leader');
    const reader = await startedReader();
    const written: string[] = [];
    for (let n = 1; n <= 5; n++)
      written.push((await source.write(definition, { accountId: 'acc-1', n })).messageId);
    await reader.waitForCount(5);

    // What a crashed host or a network cut looks like to PostgreSQL: the leader's backend is gone.
    const admin = new Client({ connectionString: source.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rows).toEqual([{ terminated: true }]);
    } finally {
      await admin.end();
    }
    await waitFor(() => second.relay.status().role === 'leader', { description: 'the follower to lead' });
    await waitFor(() => first.relay.status().role === 'follower', {
      description: 'the old leader to follow',
    });

    for (let n = 6; n <= 10; n++)
      written.push((await source.write(definition, { accountId: 'acc-1', n })).messageId);
    const records = await reader.waitForCount(10);
    await waitFor(async () => (await source.unpublished()).length === 0, { description: 'every row marked' });
    // Nothing was in flight when the session died, so nothing repeats: every event once, in order.
    expect(await recordsOnTopic()).toBe(10);
    expect(inTopicOrder(records).map((r) => header(r, 'ce_id'))).toEqual(written);
  });
});

describe('OutboxRetention', () => {
  const infra = testInfrastructure();
  let source: SourceDatabase;

  beforeEach(async () => {
    source = await createSourceDatabase(infra.postgresUrl, infra.schemaRegistryUrl);
  });
  afterEach(() => source.dispose());

  it('deletes published rows older than the retention age in bounded batches, and nothing else', async () => {
    const definition = accountNoted('relay.retention');
    const entries = [];
    for (let n = 1; n <= 7; n++) entries.push(await source.write(definition, { accountId: 'acc-1', n }));
    const [s1, s2, s3, s4, s5, s6, s7] = entries.map((e) => e.sequence);
    // Five published two hours ago, one published just now, one never published though written long ago.
    await source.db.dataSource.query(
      `UPDATE messaging_outbox SET published_at = now() - interval '2 hours' WHERE sequence = ANY($1::bigint[])`,
      [[s1, s2, s3, s4, s5]],
    );
    await source.db.dataSource.query(`UPDATE messaging_outbox SET published_at = now() WHERE sequence = $1`, [
      s6,
    ]);
    await source.db.dataSource.query(
      `UPDATE messaging_outbox SET created_at = now() - interval '3 hours' WHERE sequence = $1`,
      [s7],
    );

    const retention = new OutboxRetention({
      dataSource: source.db.dataSource,
      maxAgeMs: 3_600_000,
      batchSize: 2,
    });
    expect(await retention.runOnce()).toBe(5);

    const left = (await source.db.dataSource.query(
      'SELECT sequence::text AS sequence FROM messaging_outbox ORDER BY sequence',
    )) as { sequence: string }[];
    expect(left.map((row) => row.sequence)).toEqual([s6, s7]);
    expect(await retention.runOnce()).toBe(0);
  });
});
