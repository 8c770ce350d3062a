/**
 * A second member joining mid-stream under `effectively-once`, against real Kafka and PostgreSQL: nothing
 * is lost, and every message that is delivered again is skipped by the inbox, so each message leaves
 * exactly one side-effect row and one inbox row.
 *
 * The runner commits what it finished before a rebalance completes, so a plain hand-over redelivers
 * little or nothing. The second case makes redelivery certain: the first member's offset commits fail
 * until the second has joined (as they do while the group coordinator moves), so the partitions it hands
 * over come back from their last committed offset, and the second member receives records whose side
 * effects are already committed.
 */
import { createMigratedDatabase, waitFor, type MigratedDatabase } from '@orderstream/testing';
import {
  compose,
  plainLogger,
  type ConsumerRunner,
  type DuplicateMessage,
  type KafkaClient,
  type MessageHandler,
  type Middleware,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { effectivelyOnce } from '../src/postgres';
import {
  consumerTestKit,
  produceValues,
  stderrLogger,
  waitForCommitted,
  withFailingCommits,
} from './fixtures/consumer-support';
import { effectivelyOnceDataSourceOptions, recordEffect } from './fixtures/effectively-once-schema';

describe('rebalance under effectively-once', () => {
  const kit = consumerTestKit('rebalance-effectively-once');
  const { admin, producer } = kit;
  let db: MigratedDatabase;

  // A database per case: the side-effect count of one case must not include the other's.
  beforeEach(async () => {
    db = await createMigratedDatabase(
      kit.infra.postgresUrl,
      'rebalance_effectively_once',
      effectivelyOnceDataSourceOptions,
    );
  });
  afterEach(() => db?.dispose());

  const rows = async (sql: string, parameters: unknown[] = []): Promise<number> =>
    Number(((await db.dataSource.query(sql, parameters)) as { n: string }[])[0]?.n);

  it.each([
    { case: 'the first member commits as usual', failCommitsUntilJoined: false },
    { case: "the first member's offset commits fail until the second joined", failCommitsUntilJoined: true },
  ])(
    'a second member joins mid-stream while $case: one side effect per message, duplicates skipped and counted',
    async ({ failCommitsUntilJoined }) => {
      const { topic, groupId } = await kit.topicAndGroup('rebalance.effectively-once', 4);
      const total = 3_000;
      const values = Array.from({ length: total }, (_, i) => `v${i}`);
      // produceValues gives each record the ce_id `id-<value>`: what the inbox deduplicates on.
      await produceValues(producer, topic, values, (_, i) => `key-${i % 97}`);

      const duplicates: DuplicateMessage[] = [];
      /** Deliveries whose pipeline completed (handled or skipped as a duplicate), per member. */
      const completed = { a: 0, b: 0 };
      const counting =
        (member: 'a' | 'b'): Middleware =>
        (next) =>
        async (message, context) => {
          await next(message, context);
          completed[member] += 1;
        };
      const slowEffect: MessageHandler = async (message, context) => {
        await recordEffect(message, context);
        // Simulated work, so the stream is still flowing when the second member joins.
        await new Promise((resolve) => setTimeout(resolve, 2));
      };
      const pipeline = (member: 'a' | 'b') =>
        compose(
          [
            counting(member),
            effectivelyOnce({ dataSource: db.dataSource, onDuplicate: (d) => duplicates.push(d) }),
          ],
          slowEffect,
        );

      let joined = false;
      const member = (name: 'a' | 'b', client: KafkaClient): ConsumerRunner =>
        kit.runner({
          client,
          groupId,
          topics: [topic],
          delivery: 'effectively-once',
          handler: pipeline(name),
          consumer: { heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000, fetchMaxWaitMs: 1_000 },
          // The simulated commit failures are logged as warnings by design; keep the output for the rest.
          logger: plainLogger({
            ...stderrLogger(`rebalance-eo-${name}`),
            ...(failCommitsUntilJoined && name === 'a' ? { warn: () => undefined } : {}),
          }),
        });
      const ownClient = (name: string) =>
        createKafkaJsClient({ brokers: kit.infra.kafkaBrokers, clientId: `rebalance-eo-${name}` });

      const a = member(
        'a',
        failCommitsUntilJoined ? withFailingCommits(ownClient('a'), () => !joined) : ownClient('a'),
      );
      await a.start();
      await waitFor(() => completed.a >= total / 10, { description: 'a tenth of the messages handled by a' });
      const b = member('b', ownClient('b'));
      await b.start();
      // start() resolves once b joined, i.e. once the rebalance completed for both members.
      joined = true;
      expect(completed.a).toBeLessThan(total);

      await waitFor(async () => (await rows('SELECT count(*) AS n FROM effects')) >= total, {
        description: `side effects of all ${total} messages`,
        timeoutMs: 90_000,
      });
      await waitForCommitted(admin, groupId, topic);
      await Promise.all([a.stop({ timeoutMs: 10_000 }), b.stop({ timeoutMs: 10_000 })]);

      // Both members took part.
      expect(completed.a).toBeGreaterThan(0);
      expect(completed.b).toBeGreaterThan(0);
      // Nothing lost, nothing applied twice: exactly one side effect and one inbox row per message.
      expect(await rows('SELECT count(*) AS n FROM effects')).toBe(total);
      expect(await rows('SELECT count(DISTINCT message_id) AS n FROM effects')).toBe(total);
      expect(
        await rows('SELECT count(*) AS n FROM effects WHERE message_id <> ALL($1::text[])', [
          values.map((v) => `id-${v}`),
        ]),
      ).toBe(0);
      expect(
        await rows('SELECT count(*) AS n FROM messaging_inbox WHERE consumer_group = $1 AND topic = $2', [
          groupId,
          topic,
        ]),
      ).toBe(total);
      // Every delivery beyond the first of a message was a duplicate the inbox skipped and reported.
      expect(completed.a + completed.b).toBe(total + duplicates.length);
      expect(duplicates.every((d) => d.groupId === groupId && d.topic === topic)).toBe(true);
      if (failCommitsUntilJoined) expect(duplicates.length).toBeGreaterThan(0);
      process.stderr.write(
        `rebalance (effectively-once, ${failCommitsUntilJoined ? 'failing commits' : 'usual commits'}): ` +
          `${completed.a + completed.b} deliveries of ${total} messages, ${duplicates.length} duplicates skipped\n`,
      );
    },
  );
});
