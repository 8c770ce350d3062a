/**
 * Proof that the stack is real: an Avro event registered in the schema registry, published by one
 * process, consumed and decoded by another over a real topic, with the consumer group's committed offset
 * read back through the admin API.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { AvroCodec, subjectFor, type ConsumedRecord } from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

const run = promisify(execFile);

describe('Avro over Kafka between two processes', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'avro-consumer' });
  const admin = client.admin();

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('registers, publishes from a child process, consumes, decodes and commits', async () => {
    const topic = await createTestTopic(admin, 'proof.avro', { partitions: 2 });
    const groupId = uniqueName('proof-avro-group');
    const events: OrderNoted[] = [
      { orderId: 'order-a', amountCents: 1250, note: 'first' },
      { orderId: 'order-b', amountCents: 99, note: null },
      { orderId: 'order-a', amountCents: 7, note: 'second for order-a' },
    ];

    // The publisher is a separate Node process: nothing is shared in memory with this test.
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=@orderstream/source',
        '--import',
        'tsx',
        join(__dirname, 'fixtures', 'publish-avro.ts'),
        topic,
        JSON.stringify(events),
      ],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
        },
      },
    );
    const { schemaId } = JSON.parse(stdout) as { schemaId: number };

    // The registry holds the schema under its record-name subject, with the id the publisher used.
    const latest = (await (
      await fetch(`${infra.schemaRegistryUrl}/subjects/${subjectFor(orderNotedSchema)}/versions/latest`)
    ).json()) as {
      id: number;
    };
    expect(latest.id).toBe(schemaId);

    const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
    const consumer = client.consumer({ groupId });
    await consumer.connect();
    const received: { record: ConsumedRecord; event: OrderNoted }[] = [];
    try {
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run({
        eachRecord: async (record) => {
          received.push({ record, event: await codec.decode<OrderNoted>(record.value) });
          await consumer.commit([
            { topic, partition: record.partition, offset: (BigInt(record.offset) + 1n).toString() },
          ]);
        },
      });
      await waitFor(() => received.length === events.length, {
        description: `${events.length} decoded events`,
      });
    } finally {
      await consumer.disconnect();
    }

    // Confluent wire format: magic byte 0, then the 4-byte big-endian schema id.
    for (const { record } of received) {
      expect(record.value?.[0]).toBe(0);
      expect(record.value?.readInt32BE(1)).toBe(schemaId);
    }
    // Same key, same partition, in order; the decoded values are exactly what was sent.
    const byKey = (key: string) =>
      received.filter((r) => r.record.key?.toString() === key).map((r) => r.event);
    expect(byKey('order-a')).toEqual([events[0], events[2]]);
    expect(byKey('order-b')).toEqual([events[1]]);

    // The group's committed offsets, read back through the admin API, equal the end of each partition.
    const committed = await admin.fetchCommittedOffsets(groupId, topic);
    const ends = await admin.fetchEndOffsets(topic);
    const sorted = (xs: { partition: number; offset: string }[]) =>
      [...xs].sort((a, b) => a.partition - b.partition);
    expect(sorted(committed)).toEqual(
      sorted(ends).map(({ partition, offset }) => ({ partition, offset: offset === '0' ? '-1' : offset })),
    );
    expect(ends.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(events.length);
  });
});
