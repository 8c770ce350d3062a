/// <reference types="jest" />
/**
 * The conformance suite of the Kafka client port: what the library relies on from a `KafkaClient`,
 * checked against a real broker. Each adapter runs it. The suite creates its own random topics and groups,
 * so it can run next to other tests on a shared cluster, and it waits on conditions, never on time.
 *
 * A second adapter runs it from an integration test of its own, with a factory that builds the client for
 * the test's broker (in this workspace, the broker list comes from `@orderstream/testing`'s
 * `testInfrastructure()`, under the `jest.int.config.cjs` whose global setup provides it):
 *
 *     // libs/messaging/src/adapters/<client>/<client>-client.int.spec.ts
 *     import { testInfrastructure } from '@orderstream/testing';
 *     import { kafkaClientConformance } from '../../conformance';
 *     import { createXClient } from './<client>-client';
 *
 *     kafkaClientConformance('<client>', () =>
 *       createXClient({ brokers: testInfrastructure().kafkaBrokers, clientId: '<client>-conformance' }),
 *     );
 *
 * (From outside this library the import is `@orderstream/messaging/conformance`.) The factory is called
 * once, in `beforeAll`, and the suite disconnects everything it opened in `afterAll`. Tests only an adapter
 * needs go in the same spec file, after the call.
 */
import { DEFAULT_FETCH_MAX_WAIT_MS } from '../consumer';
import { ConsumerGroupActiveError } from '../ports/consumer-group-active.error';
import { NotFoundError, ValidationError } from '../errors/application.error';
import { TransportError } from '../errors/messaging.error';
import type {
  AdminPort,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerOptions,
  ConsumerPort,
  GroupOffsetReset,
  KafkaClient,
  ProducerPort,
} from '../ports/kafka-client.port';
import { createTestTopic, uniqueName, waitFor } from './conformance-support';

/** Builds the client under test; called once, before the suite's first test. */
export type KafkaClientFactory = () => KafkaClient | Promise<KafkaClient>;

/**
 * Per test, whatever the runner's default: a consumer-group test takes a few seconds (joins, rebalances),
 * and each wait has its own, shorter timeout that names what it waited for.
 */
const TEST_TIMEOUT_MS = 120_000;

/** Registers the conformance suite of the client `factory` builds as a `describe` block named after `name`. */
export function kafkaClientConformance(name: string, factory: KafkaClientFactory): void {
  describe(`KafkaClient conformance: ${name}`, () => {
    let client: KafkaClient;
    let admin: AdminPort;
    const opened = new Set<ProducerPort | ConsumerPort>();

    beforeAll(async () => {
      client = await factory();
      admin = client.admin();
      await admin.connect();
    });

    // Every test's producers and consumers leave when it ends: no member of one test outlives it.
    afterEach(async () => {
      await Promise.all([...opened].map((port) => disconnected(port)));
    });

    afterAll(async () => {
      await admin?.disconnect();
    });

    /**
     * A consumer with the runner's fetch wait (the library never runs one with the port's 5 s default):
     * leaving the group waits for the fetch in flight, and every test's consumers leave when it ends.
     */
    function createConsumer(options: ConsumerOptions): ConsumerPort {
      return client.consumer({ fetchMaxWaitMs: DEFAULT_FETCH_MAX_WAIT_MS, ...options });
    }

    async function connected<T extends ProducerPort | ConsumerPort>(port: T): Promise<T> {
      await port.connect();
      opened.add(port);
      return port;
    }

    async function disconnected(port: ProducerPort | ConsumerPort): Promise<void> {
      opened.delete(port);
      await port.disconnect();
    }

    /** Consumes from the beginning (where the group committed nothing); commits each record manually. */
    async function startConsuming(
      topic: string,
      groupId: string,
      isolation?: ConsumerOptions['isolation'],
    ): Promise<{ consumer: ConsumerPort; records: ConsumedRecord[] }> {
      const consumer = await connected(createConsumer({ groupId, ...(isolation ? { isolation } : {}) }));
      await consumer.subscribe([topic], { fromBeginning: true });
      const records: ConsumedRecord[] = [];
      await consumer.run({
        eachRecord: async (record) => {
          records.push(record);
          await consumer.commit([
            {
              topic: record.topic,
              partition: record.partition,
              offset: (BigInt(record.offset) + 1n).toString(),
            },
          ]);
        },
      });
      return { consumer, records };
    }

    /** Consumes from the beginning until `count` records arrived; commits each one manually. */
    async function consume(
      topic: string,
      groupId: string,
      count: number,
      isolation?: ConsumerOptions['isolation'],
    ): Promise<ConsumedRecord[]> {
      const { records } = await startConsuming(topic, groupId, isolation);
      await waitFor(() => records.length >= count, {
        description: `${count} records on ${topic}`,
        timeoutMs: 30_000,
      });
      return records;
    }

    /** Sends one record per `[partition, value]`, in that order, in one request. */
    async function produce(
      producer: ProducerPort,
      topic: string,
      records: [partition: number, value: string][],
    ): Promise<void> {
      await producer.send(
        topic,
        records.map(([partition, value]) => ({ key: null, value: Buffer.from(value), partition })),
      );
    }

    const values = (records: ConsumedRecord[]): string[] => records.map((r) => r.value?.toString() ?? '');

    describe('admin: topics', () => {
      it(
        'describes the cluster and creates, lists, counts, measures and deletes topics',
        async () => {
          const cluster = await admin.describeCluster();
          expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
          expect(cluster.controllerId).not.toBeNull();

          const topic = await createTestTopic(admin, 'conformance.admin', { partitions: 3 });
          expect(await admin.listTopics()).toContain(topic);
          expect(await admin.fetchEndOffsets(topic)).toEqual(
            expect.arrayContaining([0, 1, 2].map((partition) => ({ partition, offset: '0' }))),
          );
          const other = await createTestTopic(admin, 'conformance.admin', { partitions: 2 });
          expect(await admin.fetchPartitionCounts([topic, other])).toEqual({ [topic]: 3, [other]: 2 });
          expect(await admin.fetchPartitionCounts([])).toEqual({});
          // A topic that does not exist is an error, and asking about it does not create it.
          const missing = uniqueName('conformance.missing');
          // (The message is the adapter's own; the kafkajs adapter's spec checks its wording.)
          await expect(admin.fetchPartitionCounts([missing])).rejects.toThrow(TransportError);
          expect(await admin.listTopics()).not.toContain(missing);

          // Deletion completes in the background on the broker: the topic leaves the listing shortly after.
          await admin.deleteTopics([other]);
          await waitFor(async () => !(await admin.listTopics()).includes(other), {
            description: `${other} to leave the topic list`,
          });
          expect(await admin.listTopics()).toContain(topic);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reports topic settings, defaults included, and rejects a topic that does not exist',
        async () => {
          const compacted = uniqueName('conformance.configs');
          await admin.createTopics([
            {
              topic: compacted,
              partitions: 1,
              config: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' },
            },
          ]);
          const plain = await createTestTopic(admin, 'conformance.configs', { partitions: 1 });
          expect(
            await admin.fetchTopicConfigs([compacted, plain], ['cleanup.policy', 'retention.ms']),
          ).toEqual({
            [compacted]: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' },
            // The broker's defaults: delete, seven days.
            [plain]: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' },
          });
          expect(await admin.fetchTopicConfigs([], ['cleanup.policy'])).toEqual({});
          await expect(
            admin.fetchTopicConfigs([uniqueName('conformance.missing')], ['cleanup.policy']),
          ).rejects.toThrow(NotFoundError);
          await admin.deleteTopics([compacted]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'resolves createTopics only when every new partition has a leader',
        async () => {
          // Right after CreateTopics a KRaft broker may not know the topic yet; what needs a leader
          // (ListOffsets, a send) must work at once. Several topics in a row, because the window is short.
          for (let i = 0; i < 5; i += 1) {
            const topic = uniqueName('conformance.leaders');
            expect(await admin.createTopics([{ topic, partitions: 3 }])).toBe(true);
            expect((await admin.fetchEndOffsets(topic)).map((p) => [p.partition, p.offset]).sort()).toEqual([
              [0, '0'],
              [1, '0'],
              [2, '0'],
            ]);
            // Creating it again is not an error: false, and it stays as it is.
            expect(await admin.createTopics([{ topic, partitions: 5 }])).toBe(false);
            expect(await admin.fetchPartitionCounts([topic])).toEqual({ [topic]: 3 });
          }
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('producer and consumer group', () => {
      it(
        'produces idempotently with acks=all and commits consumer-group offsets manually',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.produce', { partitions: 1 });
          const groupId = uniqueName('conformance-group');
          const producer = await connected(client.producer());

          const metadata = await producer.send(topic, [
            { key: 'order-1', value: Buffer.from('one'), headers: { ce_type: 'test.one' } },
            { key: 'order-1', value: Buffer.from('two'), headers: { ce_type: 'test.two' } },
          ]);
          expect(metadata).toEqual([{ topic, partition: 0, offset: '0' }]);

          const records = await consume(topic, groupId, 2);
          expect(
            records.map((r) => [
              r.key?.toString(),
              r.value?.toString(),
              r.headers['ce_type']?.toString(),
              r.offset,
            ]),
          ).toEqual([
            ['order-1', 'one', 'test.one', '0'],
            ['order-1', 'two', 'test.two', '1'],
          ]);
          await waitFor(async () => (await admin.fetchCommittedOffsets(groupId, topic))[0]?.offset === '2', {
            description: `group ${groupId} to have committed offset 2`,
          });
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'starts a new member of a group after what the group committed, not from the beginning',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.resume', { partitions: 1 });
          const groupId = uniqueName('conformance-resume-group');
          const producer = await connected(client.producer());
          await produce(producer, topic, [
            [0, 'v0'],
            [0, 'v1'],
            [0, 'v2'],
          ]);
          const first = await startConsuming(topic, groupId);
          await waitFor(() => first.records.length >= 3, { description: `3 records on ${topic}` });
          expect(values(first.records)).toEqual(['v0', 'v1', 'v2']);
          await waitFor(async () => (await admin.fetchCommittedOffsets(groupId, topic))[0]?.offset === '3', {
            description: `group ${groupId} to have committed offset 3`,
          });
          await disconnected(first.consumer);

          await produce(producer, topic, [[0, 'v3']]);
          // `fromBeginning` only applies where the group has committed nothing.
          const next = await consume(topic, groupId, 1);
          expect(next.map((r) => [r.value?.toString(), r.offset])).toEqual([['v3', '3']]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'announces the group join with its assignment, and reports it through assignments()',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.join', { partitions: 3 });
          const groupId = uniqueName('conformance-join-group');
          const consumer = createConsumer({ groupId });
          const joins: ConsumerEvents['group-join'][] = [];
          const ignored: unknown[] = [];
          consumer.on('group-join', (event) => joins.push(event));
          const unsubscribe = consumer.on('group-join', (event) => ignored.push(event));
          unsubscribe();
          expect(consumer.assignments()).toEqual([]);

          await connected(consumer);
          await consumer.subscribe([topic], { fromBeginning: true });
          await consumer.run({ eachRecord: async () => undefined });
          await waitFor(() => joins.length > 0, { description: `${groupId} to join the group` });

          // The only member: it leads the group and owns every partition.
          expect(joins).toEqual([
            {
              groupId,
              memberId: expect.stringMatching(/.+/),
              isLeader: true,
              assignments: [{ topic, partitions: [0, 1, 2] }],
            },
          ]);
          expect(consumer.assignments()).toEqual([{ topic, partitions: [0, 1, 2] }]);
          // An unsubscribed listener hears nothing.
          expect(ignored).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'rebalances when a member joins and when it leaves, announced by rebalancing and group-join',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.rebalance', { partitions: 4 });
          const groupId = uniqueName('conformance-rebalance-group');
          // Frequent heartbeats: a member learns of a rebalance at its next heartbeat.
          const options = { groupId, heartbeatIntervalMs: 100 };
          type Event =
            | ['group-join', ConsumerEvents['group-join']]
            | ['rebalancing', ConsumerEvents['rebalancing'], { assignments: unknown }];
          const member = () => {
            const consumer = createConsumer(options);
            const events: Event[] = [];
            consumer.on('group-join', (event) => events.push(['group-join', event]));
            // What assignments() says while the group rebalances: nothing is assigned.
            consumer.on('rebalancing', (event) =>
              events.push(['rebalancing', event, { assignments: consumer.assignments() }]),
            );
            return { consumer, events };
          };
          const start = async (consumer: ConsumerPort) => {
            await connected(consumer);
            await consumer.subscribe([topic], { fromBeginning: true });
            await consumer.run({ eachRecord: async () => undefined });
          };
          const partitionsOf = (consumer: ConsumerPort): number[] =>
            consumer.assignments().flatMap((a) => a.partitions ?? []);

          const first = member();
          await start(first.consumer);
          await waitFor(() => first.events.length > 0, {
            description: `the first member of ${groupId} to join`,
          });
          const [, firstJoin] = first.events[0] as ['group-join', ConsumerEvents['group-join']];
          expect(first.events).toEqual([
            [
              'group-join',
              {
                groupId,
                memberId: expect.stringMatching(/.+/),
                isLeader: true,
                assignments: [{ topic, partitions: [0, 1, 2, 3] }],
              },
            ],
          ]);

          const second = member();
          await start(second.consumer);
          // Each member holds part of the partitions, and together all of them.
          const split = await waitFor(
            () => {
              const a = partitionsOf(first.consumer);
              const b = partitionsOf(second.consumer);
              return a.length > 0 && b.length > 0 && a.length + b.length === 4 && { a, b };
            },
            { description: `the partitions of ${topic} to be split between two members` },
          );
          expect([...split.a, ...split.b].sort()).toEqual([0, 1, 2, 3]);
          expect(first.events).toEqual([
            first.events[0],
            ['rebalancing', { groupId, memberId: firstJoin.memberId }, { assignments: [] }],
            [
              'group-join',
              {
                groupId,
                memberId: firstJoin.memberId,
                isLeader: expect.any(Boolean),
                assignments: [{ topic, partitions: split.a }],
              },
            ],
          ]);
          const secondJoin = second.events.at(-1) as ['group-join', ConsumerEvents['group-join']];
          expect(second.events).toEqual([
            [
              'group-join',
              {
                groupId,
                memberId: expect.stringMatching(/.+/),
                isLeader: expect.any(Boolean),
                assignments: [{ topic, partitions: split.b }],
              },
            ],
          ]);
          expect(secondJoin[1].memberId).not.toBe(firstJoin.memberId);
          // One leader per generation.
          const lastOfFirst = first.events[2] as ['group-join', ConsumerEvents['group-join']];
          expect([lastOfFirst[1].isLeader, secondJoin[1].isLeader].filter(Boolean)).toEqual([true]);

          // The second member leaves: the first takes every partition back.
          await disconnected(second.consumer);
          await waitFor(() => partitionsOf(first.consumer).length === 4, {
            description: `the first member of ${groupId} to own all partitions again`,
          });
          expect(first.events.slice(3)).toEqual([
            ['rebalancing', { groupId, memberId: firstJoin.memberId }, { assignments: [] }],
            [
              'group-join',
              {
                groupId,
                memberId: firstJoin.memberId,
                isLeader: true,
                assignments: [{ topic, partitions: [0, 1, 2, 3] }],
              },
            ],
          ]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'seeks: the next fetch of the partition starts at the given offset, and nothing is committed',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.seek', { partitions: 1 });
          const groupId = uniqueName('conformance-seek-group');
          const producer = await connected(client.producer());
          await producer.send(
            topic,
            ['v0', 'v1', 'v2', 'v3', 'v4'].map((value) => ({ key: 'k', value: Buffer.from(value) })),
          );

          const consumer = await connected(createConsumer({ groupId }));
          await consumer.subscribe([topic], { fromBeginning: true });
          const seen: string[] = [];
          let sought = false;
          await consumer.run({
            eachRecord: async (record) => {
              seen.push(record.value?.toString() ?? '');
              if (record.offset === '3' && !sought) {
                sought = true;
                consumer.seek(topic, 0, '1');
              }
            },
          });
          await waitFor(() => seen.length >= 8, { description: `8 deliveries from ${topic}` });

          // v4 of the old fetch is dropped once the seek is pending; delivery restarts at offset 1.
          expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v1', 'v2', 'v3', 'v4']);
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '-1' }]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'pauses a partition while the others flow, and resumes it where it stopped',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.pause', { partitions: 2 });
          const groupId = uniqueName('conformance-pause-group');
          const producer = await connected(client.producer());
          const consumer = await connected(createConsumer({ groupId }));
          await consumer.subscribe([topic], { fromBeginning: true });
          const seen: ConsumedRecord[] = [];
          await consumer.run({
            eachRecord: async (record) => {
              seen.push(record);
            },
          });
          await waitFor(() => consumer.assignments().length > 0, { description: `${groupId} to join` });
          const arrived = (value: string) => () => values(seen).includes(value);

          consumer.pause([{ topic, partitions: [0] }]);
          // A fetch already in flight may still bring partition 0's records (the port allows it); b0
          // arriving means that fetch is over, so from here on every fetch leaves partition 0 out.
          await produce(producer, topic, [[1, 'b0']]);
          await waitFor(arrived('b0'), { description: 'b0 on the partition that is not paused' });
          await produce(producer, topic, [[0, 'a0']]);
          await produce(producer, topic, [[1, 'b1']]);
          await waitFor(arrived('b1'), { description: 'b1, produced after a0' });
          // One more fetch: anything of that one's response would have been handed out before this.
          await produce(producer, topic, [[1, 'b2']]);
          await waitFor(arrived('b2'), { description: 'b2' });
          expect(values(seen)).toEqual(['b0', 'b1', 'b2']);

          consumer.resume([{ topic, partitions: [0] }]);
          await waitFor(arrived('a0'), { description: 'a0 once partition 0 is resumed' });
          expect(seen.map((r) => [r.partition, r.offset, r.value?.toString()])).toEqual([
            [1, '0', 'b0'],
            [1, '1', 'b1'],
            [1, '2', 'b2'],
            [0, '0', 'a0'],
          ]);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('transactions', () => {
      it(
        'commits and aborts transactions, with consumer offsets inside the transaction',
        async () => {
          const input = await createTestTopic(admin, 'conformance.tx-in', { partitions: 1 });
          const output = await createTestTopic(admin, 'conformance.tx-out', { partitions: 1 });
          const groupId = uniqueName('conformance-tx-group');
          const producer = await connected(
            client.producer({ transactionalId: uniqueName('conformance-tx') }),
          );

          const aborted = await producer.transaction();
          await aborted.send(output, [{ key: 'k', value: Buffer.from('aborted') }]);
          await aborted.abort();

          const committed = await producer.transaction();
          await committed.send(output, [{ key: 'k', value: Buffer.from('committed') }]);
          await committed.sendOffsets(groupId, [{ topic: input, partition: 0, offset: '5' }]);
          await committed.commit();

          // A read_committed consumer sees only the committed record (the aborted one and both transaction
          // markers occupy offsets but are never delivered).
          const records = await consume(output, uniqueName('conformance-reader'), 1, 'read_committed');
          expect(records.map((r) => r.value?.toString())).toEqual(['committed']);
          // A read_uncommitted one sees both: the isolation level is the consumer's to choose.
          const all = await consume(output, uniqueName('conformance-uncommitted'), 2, 'read_uncommitted');
          expect(values(all)).toEqual(['aborted', 'committed']);
          // A client may read committed offsets without asking for stable ones (kafkajs's OffsetFetch v4
          // cannot ask): offsets committed in a transaction become visible once the markers are written, a
          // little after commit returns (ADR 0001).
          await waitFor(async () => (await admin.fetchCommittedOffsets(groupId, input))[0]?.offset === '5', {
            description: `offset 5 committed by the transaction for ${groupId}`,
          });
          expect(await admin.fetchCommittedOffsets(groupId, input)).toEqual([{ partition: 0, offset: '5' }]);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('admin: consumer groups', () => {
      /** A member of `groupId` on `topic` that has consumed `count` records; returns it and its member id. */
      async function activeMember(
        topic: string,
        groupId: string,
        count: number,
      ): Promise<{ consumer: ConsumerPort; memberId: string }> {
        const consumer = createConsumer({ groupId });
        const joins: ConsumerEvents['group-join'][] = [];
        consumer.on('group-join', (event) => joins.push(event));
        await connected(consumer);
        await consumer.subscribe([topic], { fromBeginning: true });
        let consumed = 0;
        await consumer.run({
          eachRecord: async () => {
            consumed += 1;
          },
        });
        await waitFor(() => consumed >= count && joins.length > 0, {
          description: `a member of ${groupId} to consume ${count} records`,
        });
        return { consumer, memberId: (joins.at(-1) as ConsumerEvents['group-join']).memberId };
      }

      it(
        'lists groups and describes one: state, members with assignments, committed offsets and lag',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.describe', { partitions: 2 });
          const groupId = uniqueName('conformance-describe-group');
          const producer = await connected(client.producer());
          await produce(producer, topic, [
            [0, 'a0'],
            [0, 'a1'],
            [0, 'a2'],
            [1, 'b0'],
          ]);
          const { consumer, memberId } = await activeMember(topic, groupId, 4);
          // Two of partition 0's three records committed, nothing of partition 1.
          await consumer.commit([{ topic, partition: 0, offset: '2' }]);
          const offsets = [
            { topic, partition: 0, committedOffset: '2', endOffset: '3', lag: 1 },
            { topic, partition: 1, committedOffset: '-1', endOffset: '1', lag: 1 },
          ];

          expect((await admin.listGroups()).filter((g) => g.groupId === groupId)).toEqual([
            { groupId, protocolType: 'consumer' },
          ]);
          expect(await admin.describeGroup(groupId)).toEqual({
            groupId,
            state: 'Stable',
            members: [
              {
                memberId,
                clientId: expect.stringMatching(/.+/),
                clientHost: expect.stringMatching(/.+/),
                assignments: [{ topic, partitions: [0, 1] }],
              },
            ],
            offsets,
          });

          // Without members the group is empty and keeps its offsets.
          await disconnected(consumer);
          await waitFor(async () => (await admin.describeGroup(groupId)).state === 'Empty', {
            description: `${groupId} to be empty`,
          });
          expect(await admin.describeGroup(groupId)).toEqual({
            groupId,
            state: 'Empty',
            members: [],
            offsets,
          });

          // A group that never existed.
          const unknown = uniqueName('conformance-unknown-group');
          expect(await admin.describeGroup(unknown)).toEqual({
            groupId: unknown,
            state: 'Dead',
            members: [],
            offsets: [],
          });
          expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain(unknown);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses to reset a group that has members, dry run or not, and changes nothing',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.reset-active', { partitions: 1 });
          const groupId = uniqueName('conformance-reset-active-group');
          const producer = await connected(client.producer());
          await produce(producer, topic, [
            [0, 'v0'],
            [0, 'v1'],
          ]);
          const { consumer, memberId } = await activeMember(topic, groupId, 2);
          await consumer.commit([{ topic, partition: 0, offset: '2' }]);

          for (const dryRun of [true, false]) {
            const refusal = admin.resetGroupOffsets(
              groupId,
              { to: 'earliest', topics: [{ topic }] },
              { dryRun },
            );
            await expect(refusal).rejects.toBeInstanceOf(ConsumerGroupActiveError);
            await expect(refusal).rejects.toMatchObject({
              code: 'MESSAGING_GROUP_ACTIVE',
              retriable: false,
              groupId,
              memberIds: [memberId],
            });
          }
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '2' }]);
          expect((await admin.describeGroup(groupId)).members.map((m) => m.memberId)).toEqual([memberId]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'resets to earliest or latest, for whole topics or chosen partitions; a dry run only returns the plan',
        async () => {
          // Prefixes that sort: the plan lists topic a before topic b.
          const topic = await createTestTopic(admin, 'conformance.reset-a', { partitions: 3 });
          const other = await createTestTopic(admin, 'conformance.reset-b', { partitions: 1 });
          const groupId = uniqueName('conformance-reset-group');
          const producer = await connected(client.producer());
          await produce(
            producer,
            topic,
            [0, 1, 2].flatMap((p): [number, string][] => [0, 1, 2].map((i) => [p, `p${p}-v${i}`])),
          );
          await produce(producer, other, [[0, 'o0']]);

          const toLatest: GroupOffsetReset = { to: 'latest', topics: [{ topic }] };
          const dry = await admin.resetGroupOffsets(groupId, toLatest, { dryRun: true });
          expect(dry).toEqual({
            groupId,
            dryRun: true,
            partitions: [0, 1, 2].map((partition) => ({
              topic,
              partition,
              currentOffset: '-1',
              newOffset: '3',
            })),
          });
          // Nothing changed, and the group was not even created.
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual(
            [0, 1, 2].map((partition) => ({ partition, offset: '-1' })),
          );
          expect((await admin.describeGroup(groupId)).state).toBe('Dead');

          expect(await admin.resetGroupOffsets(groupId, toLatest)).toEqual({ ...dry, dryRun: false });
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual(
            [0, 1, 2].map((partition) => ({ partition, offset: '3' })),
          );

          // One partition only.
          expect(
            await admin.resetGroupOffsets(groupId, { to: 'earliest', topics: [{ topic, partitions: [1] }] }),
          ).toEqual({
            groupId,
            dryRun: false,
            partitions: [{ topic, partition: 1, currentOffset: '3', newOffset: '0' }],
          });
          // Two topics at once: a partition of one, the whole of the other.
          expect(
            await admin.resetGroupOffsets(groupId, {
              to: 'earliest',
              topics: [{ topic: other }, { topic, partitions: [0] }],
            }),
          ).toEqual({
            groupId,
            dryRun: false,
            partitions: [
              { topic, partition: 0, currentOffset: '3', newOffset: '0' },
              { topic: other, partition: 0, currentOffset: '-1', newOffset: '0' },
            ],
          });
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([
            { partition: 0, offset: '0' },
            { partition: 1, offset: '0' },
            { partition: 2, offset: '3' },
          ]);

          // The reset left no member behind, and the group's next member reads from the new offsets.
          const group = await admin.describeGroup(groupId);
          expect([group.state, group.members]).toEqual(['Empty', []]);
          const records = await consume(topic, groupId, 6);
          expect(
            records
              .sort((x, y) => x.partition - y.partition || Number(x.offset) - Number(y.offset))
              .map((r) => [r.partition, r.offset, r.value?.toString()]),
          ).toEqual([0, 1].flatMap((p) => [0, 1, 2].map((i) => [p, String(i), `p${p}-v${i}`])));
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'resets to a timestamp: the first record at or after it, or the log end where there is none',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.reset-time', { partitions: 2 });
          const groupId = uniqueName('conformance-reset-time-group');
          const producer = await connected(client.producer());
          await produce(producer, topic, [
            [0, 'early-0'],
            [0, 'early-1'],
            [1, 'early-2'],
          ]);
          // Records carry the producer's clock: everything sent before this point is older than `boundary`,
          // everything sent once the clock has passed it is not. A condition on the clock, not a sleep.
          const boundary = Date.now() + 1;
          await waitFor(() => Date.now() >= boundary, { description: 'the clock to pass the boundary' });
          await produce(producer, topic, [
            [0, 'late-0'],
            [0, 'late-1'],
          ]);

          expect(
            await admin.resetGroupOffsets(
              groupId,
              { to: 'timestamp', timestamp: 0, topics: [{ topic }] },
              { dryRun: true },
            ),
          ).toEqual({
            groupId,
            dryRun: true,
            partitions: [
              { topic, partition: 0, currentOffset: '-1', newOffset: '0' },
              { topic, partition: 1, currentOffset: '-1', newOffset: '0' },
            ],
          });
          expect(
            await admin.resetGroupOffsets(groupId, {
              to: 'timestamp',
              timestamp: boundary,
              topics: [{ topic }],
            }),
          ).toEqual({
            groupId,
            dryRun: false,
            partitions: [
              { topic, partition: 0, currentOffset: '-1', newOffset: '2' },
              { topic, partition: 1, currentOffset: '-1', newOffset: '1' },
            ],
          });

          const records = await consume(topic, groupId, 2);
          expect(records.map((r) => [r.partition, r.offset, r.value?.toString()])).toEqual([
            [0, '2', 'late-0'],
            [0, '3', 'late-1'],
          ]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'resets to explicit offsets within the log, and rejects what the log does not have',
        async () => {
          const topic = await createTestTopic(admin, 'conformance.reset-explicit', { partitions: 2 });
          const groupId = uniqueName('conformance-reset-explicit-group');
          const producer = await connected(client.producer());
          await produce(producer, topic, [
            [0, 'v0'],
            [0, 'v1'],
            [0, 'v2'],
            [0, 'v3'],
            [0, 'v4'],
            [1, 'w0'],
          ]);
          const explicit = (
            partition: number,
            offset: string,
          ): Extract<GroupOffsetReset, { to: 'offsets' }> => ({
            to: 'offsets',
            offsets: [{ topic, partition, offset }],
          });

          expect(await admin.resetGroupOffsets(groupId, explicit(0, '3'))).toEqual({
            groupId,
            dryRun: false,
            partitions: [{ topic, partition: 0, currentOffset: '-1', newOffset: '3' }],
          });
          // The log end is within the log: the group has read everything.
          expect(
            await admin.resetGroupOffsets(
              groupId,
              {
                to: 'offsets',
                offsets: [
                  { topic, partition: 0, offset: '5' },
                  { topic, partition: 1, offset: '0' },
                ],
              },
              { dryRun: true },
            ),
          ).toEqual({
            groupId,
            dryRun: true,
            partitions: [
              { topic, partition: 0, currentOffset: '3', newOffset: '5' },
              { topic, partition: 1, currentOffset: '-1', newOffset: '0' },
            ],
          });

          type Refusal = [why: string, reset: GroupOffsetReset, error: typeof ValidationError, code: string];
          const refusals: Refusal[] = [
            ['past the log end', explicit(0, '6'), ValidationError, 'VALIDATION_FAILED'],
            ['not an offset', explicit(0, '-2'), ValidationError, 'VALIDATION_FAILED'],
            ['a partition the topic lacks', explicit(2, '0'), ValidationError, 'VALIDATION_FAILED'],
            [
              'a partition the topic lacks, by selection',
              { to: 'earliest', topics: [{ topic, partitions: [0, 7] }] },
              ValidationError,
              'VALIDATION_FAILED',
            ],
            [
              'a partition named twice',
              { to: 'offsets', offsets: [...explicit(0, '1').offsets, ...explicit(0, '2').offsets] },
              ValidationError,
              'VALIDATION_FAILED',
            ],
            ['no partition at all', { to: 'offsets', offsets: [] }, ValidationError, 'VALIDATION_FAILED'],
            [
              'a topic that does not exist',
              { to: 'latest', topics: [{ topic: uniqueName('conformance.missing') }] },
              NotFoundError,
              'NOT_FOUND',
            ],
          ];
          const outcomes = [];
          for (const [why, reset, errorClass] of refusals) {
            const error = await admin.resetGroupOffsets(groupId, reset).then(
              () => undefined,
              (failure: unknown) => failure as { code?: string; retriable?: boolean },
            );
            outcomes.push([why, error instanceof errorClass, error?.code, error?.retriable]);
          }
          expect(outcomes).toEqual(refusals.map(([why, , , code]) => [why, true, code, false]));
          expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([
            { partition: 0, offset: '3' },
            { partition: 1, offset: '-1' },
          ]);
        },
        TEST_TIMEOUT_MS,
      );
    });
  });
}
