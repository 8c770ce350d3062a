/**
 * The kafkajs adapter against the real broker: the port's conformance suite, on the Kafka version we ship
 * (see docs/decisions/0001-kafka-version.md). Kafka 4 removed old protocol versions (KIP-896), so this
 * test is the standing evidence that kafkajs 2.2.4 still speaks to it.
 */
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import type { ConsumedRecord } from '../../ports/kafka-client.port';
import { kafkaClientConformance } from '../../conformance';
import { namespacedKafkaClient } from '../../ports/namespaced-kafka-client';
import { createKafkaJsClient } from './kafkajs-client';

const createClient = () =>
  createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'kafkajs-conformance' });

kafkaClientConformance('kafkajs', createClient);

// The same suite through a namespace: what the library sees must not change, whatever the broker calls it.
const NAMESPACE = uniqueName('ns');
kafkaClientConformance(`kafkajs in namespace ${NAMESPACE}`, () =>
  namespacedKafkaClient(createClient(), NAMESPACE),
);

describe('kafkajs adapter', () => {
  it('names the kafkajs call that failed in its TransportError', async () => {
    const admin = createClient().admin();
    await admin.connect();
    try {
      await expect(admin.fetchPartitionCounts([uniqueName('conformance.missing')])).rejects.toThrow(
        'Kafka fetchTopicMetadata failed',
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('puts a namespace in front of every topic and group on the broker', async () => {
    const raw = createClient();
    const namespace = uniqueName('ns');
    const scoped = namespacedKafkaClient(raw, namespace);
    const rawAdmin = raw.admin();
    const admin = scoped.admin();
    await Promise.all([rawAdmin.connect(), admin.connect()]);
    const producer = scoped.producer({ transactionalId: 'tx' });
    const consumer = scoped.consumer({ groupId: 'group', fetchMaxWaitMs: 100 });
    try {
      const topic = uniqueName('namespaced');
      await admin.createTopics([{ topic, partitions: 1 }]);
      expect(await rawAdmin.listTopics()).toContain(`${namespace}.${topic}`);
      expect(await admin.listTopics()).toEqual([topic]);

      await producer.connect();
      const tx = await producer.transaction();
      expect(await tx.send(topic, [{ key: 'k', value: Buffer.from('v') }])).toEqual([
        { topic, partition: 0, offset: '0' },
      ]);
      await tx.commit();

      const seen: ConsumedRecord[] = [];
      await consumer.connect();
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run({
        eachRecord: async (record) => {
          seen.push(record);
          await consumer.commit([{ topic: record.topic, partition: record.partition, offset: '1' }]);
        },
      });
      await waitFor(
        async () =>
          (await rawAdmin.fetchCommittedOffsets(`${namespace}.group`, `${namespace}.${topic}`))[0]?.offset ===
          '1',
        { description: 'the namespaced group to commit on the namespaced topic' },
      );
      expect(seen.map((r) => [r.topic, r.value?.toString()])).toEqual([[topic, 'v']]);
      expect((await admin.listGroups()).map((g) => g.groupId)).toEqual(['group']);
      expect((await rawAdmin.listGroups()).map((g) => g.groupId)).toContain(`${namespace}.group`);
      expect((await admin.describeGroup('group')).offsets.map((o) => [o.topic, o.committedOffset])).toEqual([
        [topic, '1'],
      ]);
      await admin.deleteTopics([topic]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await Promise.all([rawAdmin.disconnect(), admin.disconnect()]);
    }
  });

  it('namespaces transactional ids: the same id in two namespaces does not fence', async () => {
    const topic = uniqueName('namespaced-tx');
    const [first, second] = [uniqueName('ns'), uniqueName('ns')].map((namespace) =>
      namespacedKafkaClient(createClient(), namespace),
    );
    const admins = [first!.admin(), second!.admin()];
    const producers = [
      first!.producer({ transactionalId: 'relay' }),
      second!.producer({ transactionalId: 'relay' }),
    ];
    try {
      for (const admin of admins) {
        await admin.connect();
        await admin.createTopics([{ topic, partitions: 1 }]);
      }
      await producers[0]!.connect();
      const open = await producers[0]!.transaction();
      await open.send(topic, [{ key: 'k', value: Buffer.from('first') }]);
      // With one physical id, this producer's InitProducerId would fence the first and abort its transaction.
      await producers[1]!.connect();
      const other = await producers[1]!.transaction();
      await other.send(topic, [{ key: 'k', value: Buffer.from('second') }]);
      await other.commit();
      // A fenced producer's commit rejects (ProducerFenced): that it resolves is the proof.
      await open.commit();
      // Each namespace's topic holds its record and the commit marker, which the transaction coordinator
      // writes after EndTxn has returned: wait for it rather than read the end offset at once.
      for (const admin of admins) {
        await waitFor(async () => (await admin.fetchEndOffsets(topic))[0]?.offset === '2', {
          description: 'the record and its commit marker',
        });
      }
    } finally {
      await Promise.all(producers.map((p) => p.disconnect()));
      for (const admin of admins) {
        await admin.deleteTopics([topic]);
        await admin.disconnect();
      }
    }
  });
});
