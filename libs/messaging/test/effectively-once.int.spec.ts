/**
 * Effectively-once against real PostgreSQL and, for the crash, real Kafka and a real process: however often
 * a message is delivered, its side effect happens once, and every delivery after the first is skipped,
 * logged and counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import {
  AvroCodec,
  compose,
  DecodeError,
  EnvelopeCodec,
  plainLogger,
  type ConsumedRecord,
  type DuplicateMessage,
  type InboundMessage,
  type Logger,
  type MessageHandler,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { effectivelyOnce, InboxRetention } from '../src/postgres';
import { effectivelyOnceDataSourceOptions, recordEffect } from './fixtures/effectively-once-schema';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function capturingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, msg, fields });
  return {
    lines,
    ...plainLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }),
  };
}

describe('effectively-once', () => {
  const infra = testInfrastructure();
  let db: MigratedDatabase;
  let databaseUrl: string;

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'effectively_once', (url) => {
      databaseUrl = url;
      return effectivelyOnceDataSourceOptions(url);
    });
  });
  afterAll(() => db?.dispose());

  const count = async (sql: string, parameters: unknown[]): Promise<number> =>
    Number(((await db.dataSource.query(sql, parameters)) as { n: string }[])[0]?.n);
  const effects = (messageId: string) =>
    count('SELECT count(*) AS n FROM effects WHERE message_id = $1', [messageId]);
  const inboxRows = (groupId: string, messageId: string) =>
    count('SELECT count(*) AS n FROM messaging_inbox WHERE consumer_group = $1 AND message_id = $2', [
      groupId,
      messageId,
    ]);

  describe('in one process', () => {
    function delivery(headers: Record<string, string> = {}): InboundMessage {
      const record: ConsumedRecord = {
        topic: 'test.orders.events',
        partition: 2,
        offset: '41',
        key: Buffer.from('order-1'),
        value: Buffer.from([0]),
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
        timestamp: '1764300000000',
      };
      return { record, groupId: uniqueName('eo-group'), attempt: 1 };
    }

    function pipeline(handler: MessageHandler = recordEffect) {
      const duplicates: DuplicateMessage[] = [];
      const logger = capturingLogger();
      const handle = compose(
        [effectivelyOnce({ dataSource: db.dataSource, onDuplicate: (d) => duplicates.push(d) })],
        handler,
      );
      const run = (message: InboundMessage) => handle(message, { message, logger });
      return { run, duplicates, logger };
    }

    it('gives one side effect and one inbox row for a message delivered twice, and counts the duplicate', async () => {
      const messageId = randomUUID();
      const message = delivery({ ce_id: messageId, ce_type: 'orderstream.test.OrderNoted' });
      let calls = 0;
      const { run, duplicates, logger } = pipeline(async (m, context) => {
        calls += 1;
        await recordEffect(m, context);
      });

      await run(message);
      await run(message);

      expect(calls).toBe(1);
      expect(await effects(messageId)).toBe(1);
      expect(await inboxRows(message.groupId, messageId)).toBe(1);
      const expected: DuplicateMessage = {
        groupId: message.groupId,
        messageId,
        topic: 'test.orders.events',
        partition: 2,
        offset: '41',
        eventType: 'orderstream.test.OrderNoted',
      };
      expect(duplicates).toEqual([expected]);
      expect(logger.lines).toEqual([{ level: 'info', msg: 'duplicate skipped', fields: expected }]);
      expect(
        await db.dataSource.query(
          'SELECT topic, partition, "offset"::text AS "offset" FROM messaging_inbox WHERE consumer_group = $1',
          [message.groupId],
        ),
      ).toEqual([{ topic: 'test.orders.events', partition: 2, offset: '41' }]);
    });

    it('deduplicates per consumer group: another group handles the same message too', async () => {
      const messageId = randomUUID();
      const first = delivery({ ce_id: messageId });
      const second = { ...first, groupId: uniqueName('eo-other-group') };
      const { run, duplicates } = pipeline();

      await run(first);
      await run(second);

      expect(await effects(messageId)).toBe(2);
      expect(duplicates).toEqual([]);
    });

    it('handles exactly once when two deliveries of one message run concurrently', async () => {
      const messageId = randomUUID();
      const message = delivery({ ce_id: messageId });
      const { run, duplicates } = pipeline();

      await Promise.all([run(message), run(message)]);

      expect(await effects(messageId)).toBe(1);
      expect(await inboxRows(message.groupId, messageId)).toBe(1);
      expect(duplicates).toHaveLength(1);
    });

    it('rolls back the inbox row with the handler, so a failed message is handled on redelivery', async () => {
      const messageId = randomUUID();
      const message = delivery({ ce_id: messageId });
      const failure = new Error('handler failed after its write');
      let fail = true;
      const { run, duplicates } = pipeline(async (m, context) => {
        await recordEffect(m, context);
        if (fail) throw failure;
      });

      await expect(run(message)).rejects.toBe(failure);
      expect(await effects(messageId)).toBe(0);
      expect(await inboxRows(message.groupId, messageId)).toBe(0);

      fail = false;
      await run(message);
      expect(await effects(messageId)).toBe(1);
      expect(await inboxRows(message.groupId, messageId)).toBe(1);
      expect(duplicates).toEqual([]);
    });

    it('rejects a record without ce_id as undecodable, without running the handler', async () => {
      let calls = 0;
      const { run } = pipeline(async () => {
        calls += 1;
      });
      const error = await run(delivery({ ce_type: 'orderstream.test.OrderNoted' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecodeError);
      expect(error).toMatchObject({ code: 'MESSAGING_DECODE', retriable: false });
      expect(calls).toBe(0);
    });
  });

  describe('inbox retention', () => {
    it('deletes rows older than the maximum age in bounded batches, and nothing younger', async () => {
      const groupId = uniqueName('eo-retention-group');
      // 5 rows two days old, 2 rows one hour old, 1 row just now.
      await db.dataSource.query(
        `INSERT INTO messaging_inbox (consumer_group, message_id, topic, partition, "offset", processed_at)
         SELECT $1, 'old-' || i, 't', 0, i, now() - interval '2 days' - i * interval '1 second'
           FROM generate_series(1, 5) AS i
         UNION ALL
         SELECT $1, 'recent-' || i, 't', 0, 10 + i, now() - interval '1 hour' FROM generate_series(1, 2) AS i
         UNION ALL
         SELECT $1, 'new', 't', 0, 20, now()`,
        [groupId],
      );
      const logger = capturingLogger();
      const retention = new InboxRetention({
        dataSource: db.dataSource,
        maxAgeMs: 24 * 60 * 60 * 1000,
        batchSize: 2,
        logger,
      });

      expect(await retention.runOnce()).toBe(5);
      const left = (await db.dataSource.query(
        'SELECT message_id FROM messaging_inbox WHERE consumer_group = $1 ORDER BY message_id',
        [groupId],
      )) as { message_id: string }[];
      expect(left.map((r) => r.message_id)).toEqual(['new', 'recent-1', 'recent-2']);
      // 2 + 2 + 1: the last, short batch ends the run.
      expect(logger.lines).toEqual([
        {
          level: 'info',
          msg: 'inbox retention ran',
          fields: { deleted: 5, batches: 3, maxAgeMs: 86_400_000 },
        },
      ]);
      expect(await retention.runOnce()).toBe(0);
    });
  });

  describe('across a consumer process killed between its database commit and its offset commit', () => {
    const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'effectively-once-test' });
    const admin = client.admin();
    const children: ChildProcess[] = [];

    beforeAll(() => admin.connect());
    afterAll(async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await admin.disconnect();
    });

    interface ConsumerProcess {
      events: Record<string, unknown>[];
      stderr: () => string;
      exitedEarly: () => boolean;
      exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
      kill(signal: NodeJS.Signals): void;
    }

    function startConsumer(
      topic: string,
      groupId: string,
      mode: 'run' | 'block-after-commit',
    ): ConsumerProcess {
      const child = spawn(
        process.execPath,
        [
          '--conditions=@orderstream/source',
          '--import',
          'tsx',
          join(__dirname, 'fixtures', 'effectively-once-consumer.ts'),
          topic,
          groupId,
          mode,
        ],
        {
          env: { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers.join(','), DATABASE_URL: databaseUrl },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      const events: Record<string, unknown>[] = [];
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const lines = stdout.split('\n');
        stdout = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      return {
        events,
        stderr: () => stderr,
        exitedEarly: () => child.exitCode !== null || child.signalCode !== null,
        exited,
        kill: (signal) => child.kill(signal),
      };
    }

    const ofKind = (p: ConsumerProcess, event: string) => p.events.filter((e) => e['event'] === event);
    // A probe that throws counts as "not yet" in waitFor; the error text (the child's stderr) ends up in
    // the timeout message, which is what one needs when the child died.
    const awaitEvent = (p: ConsumerProcess, event: string) =>
      waitFor(
        () => {
          const found = ofKind(p, event)[0];
          if (!found && p.exitedEarly()) throw new Error(`consumer process exited: ${p.stderr()}`);
          return found;
        },
        { description: `the consumer process to report "${event}"`, timeoutMs: 60_000 },
      );

    it('redelivers the message after a restart and skips it: one side effect, one inbox row, one counted duplicate', async () => {
      const topic = await createTestTopic(admin, 'eo.crash', { partitions: 1 });
      const groupId = uniqueName('eo-crash-group');
      const envelopes = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
      const event: OrderNoted = { orderId: 'order-crash', amountCents: 500, note: 'handled once' };
      const record = await envelopes.encode(
        {
          type: 'orderstream.test.OrderNoted',
          topic,
          schema: orderNotedSchema,
          key: (e: OrderNoted) => e.orderId,
        },
        event,
        { source: '/orderstream/test' },
      );
      const messageId = String(record.headers?.['ce_id']);
      const producer = client.producer();
      await producer.connect();
      try {
        await producer.send(topic, [record]);
      } finally {
        await producer.disconnect();
      }

      // First life: handles the message, commits its transaction, and is killed before the runner could
      // commit the offset (the handler never returns, so the record never counts as finished).
      const first = startConsumer(topic, groupId, 'block-after-commit');
      await awaitEvent(first, 'db-committed');
      expect(await effects(messageId)).toBe(1);
      expect(await inboxRows(groupId, messageId)).toBe(1);
      expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '-1' }]);
      first.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '-1' }]);

      // Second life: Kafka redelivers the same record (nothing was committed), the inbox skips it, and the
      // runner commits past it.
      const second = startConsumer(topic, groupId, 'run');
      await waitFor(
        async () => {
          if (second.exitedEarly()) throw new Error(`consumer process exited: ${second.stderr()}`);
          return (await admin.fetchCommittedOffsets(groupId, topic))[0]?.offset === '1';
        },
        { description: `the restarted consumer to commit offset 1 for ${groupId}`, timeoutMs: 60_000 },
      );
      expect(ofKind(second, 'received')).toEqual([{ event: 'received', offset: '0', messageId }]);
      expect(ofKind(second, 'db-committed')).toEqual([{ event: 'db-committed', offset: '0', messageId }]);
      const duplicate = {
        groupId,
        messageId,
        topic,
        partition: 0,
        offset: '0',
        eventType: 'orderstream.test.OrderNoted',
      };
      expect(ofKind(second, 'duplicate')).toEqual([{ event: 'duplicate', ...duplicate }]);
      // The runner's handler logger puts its component and the correlation id on every line (the event
      // started its own flow, so its correlation id is its own id).
      expect(ofKind(second, 'log').filter((l) => l['msg'] === 'duplicate skipped')).toEqual([
        {
          event: 'log',
          level: 'info',
          msg: 'duplicate skipped',
          component: 'consumer-runner',
          correlationId: messageId,
          ...duplicate,
        },
      ]);

      expect(await effects(messageId)).toBe(1);
      expect(await inboxRows(groupId, messageId)).toBe(1);
      expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '1' }]);

      second.kill('SIGTERM');
      expect(await awaitEvent(second, 'stopped')).toEqual({ event: 'stopped', graceful: true });
      expect(await second.exited).toEqual({ code: 0, signal: null });
    });
  });
});
