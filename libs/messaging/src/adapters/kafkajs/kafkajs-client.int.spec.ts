/**
 * The kafkajs adapter against the real broker: the calls this library relies on, on the Kafka version we
 * ship (see docs/decisions/0001-kafka-version.md). Kafka 4 removed old protocol versions (KIP-896), so
 * this test is the standing evidence that kafkajs 2.2.4 still speaks to it.
 */
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import type {
  AdminPort,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerPort,
  KafkaClient,
  ProducerPort,
} from '../../ports/kafka-client.port';
import { createKafkaJsClient } from './kafkajs-client';

describe('kafkajs adapter against the real broker', () => {
  let client: KafkaClient;
  let admin: AdminPort;
  const opened: (ProducerPort | ConsumerPort)[] = [];

  beforeAll(async () => {
    client = createKafkaJsClient({
      brokers: testInfrastructure().kafkaBrokers,
      clientId: 'kafkajs-conformance',
    });
    admin = client.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.disconnect()));
    await admin.disconnect();
  });

  async function connected<T extends ProducerPort | ConsumerPort>(port: T): Promise<T> {
    await port.connect();
    opened.push(port);
    return port;
  }

  /** Consumes from the beginning until `count` records arrived; commits each one manually. */
  async function consume(
    topic: string,
    groupId: string,
    count: number,
    isolation?: 'read_committed',
  ): Promise<ConsumedRecord[]> {
    const consumer = await connected(client.consumer({ groupId, ...(isolation ? { isolation } : {}) }));
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
    await waitFor(() => records.length >= count, {
      description: `${count} records on ${topic}`,
      timeoutMs: 30_000,
    });
    return records;
  }

  it('describes the cluster and creates, lists, counts and measures topics', async () => {
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
    await expect(admin.fetchPartitionCounts([missing])).rejects.toThrow('Kafka fetchTopicMetadata failed');
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('resolves createTopics only when every new partition has a leader', async () => {
    // Right after CreateTopics a KRaft broker may not know the topic yet; what needs a leader (ListOffsets,
    // a send) must work at once. Several topics in a row, because the window is short.
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
  });

  it('produces idempotently with acks=all and commits consumer-group offsets manually', async () => {
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
  });

  it('commits and aborts transactions, with consumer offsets inside the transaction', async () => {
    const input = await createTestTopic(admin, 'conformance.tx-in', { partitions: 1 });
    const output = await createTestTopic(admin, 'conformance.tx-out', { partitions: 1 });
    const groupId = uniqueName('conformance-tx-group');
    const producer = await connected(client.producer({ transactionalId: uniqueName('conformance-tx') }));

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
    // kafkajs reads offsets with OffsetFetch v4, which cannot ask for stable offsets: offsets committed in a
    // transaction become visible once the markers are written, a little after commit returns (ADR 0001).
    await waitFor(async () => (await admin.fetchCommittedOffsets(groupId, input))[0]?.offset === '5', {
      description: `offset 5 committed by the transaction for ${groupId}`,
    });
    expect(await admin.fetchCommittedOffsets(groupId, input)).toEqual([{ partition: 0, offset: '5' }]);
  });

  it('announces the group join with its assignment, and reports it through assignments()', async () => {
    const topic = await createTestTopic(admin, 'conformance.join', { partitions: 3 });
    const groupId = uniqueName('conformance-join-group');
    const consumer = client.consumer({ groupId });
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
  });

  it('seeks: the next fetch of the partition starts at the given offset, and nothing is committed', async () => {
    const topic = await createTestTopic(admin, 'conformance.seek', { partitions: 1 });
    const groupId = uniqueName('conformance-seek-group');
    const producer = await connected(client.producer());
    await producer.send(
      topic,
      ['v0', 'v1', 'v2', 'v3', 'v4'].map((value) => ({ key: 'k', value: Buffer.from(value) })),
    );

    const consumer = await connected(client.consumer({ groupId }));
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
  });
});
