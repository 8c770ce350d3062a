/**
 * Schema evolution against the real registry: the subject's compatibility is BACKWARD, an incompatible
 * version is refused with a clear error, a compatible one is accepted, and consumers built against either
 * version decode records written with the other, read back from a real topic.
 *
 * Subjects are global in the registry, so every run uses its own namespace.
 */
import { randomBytes } from 'node:crypto';
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import {
  AvroCodec,
  EnvelopeCodec,
  EventRegistry,
  SchemaError,
  subjectFor,
  type AvroRecordSchema,
  type ConsumedRecord,
  type EventDefinition,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';

const REGISTRY_JSON = 'application/vnd.schemaregistry.v1+json';

interface WidgetV1 {
  widgetId: string;
  size: number;
}
interface WidgetV2 extends WidgetV1 {
  colour: string;
}

function widgetSchema(namespace: string, extraFields: unknown[] = []): AvroRecordSchema {
  return {
    type: 'record',
    name: 'WidgetResized',
    namespace,
    fields: [{ name: 'widgetId', type: 'string' }, { name: 'size', type: 'int' }, ...extraFields],
  };
}

describe('schema evolution through the registry', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'schema-evolution' });
  const admin = client.admin();

  const namespace = `orderstream.test.r${randomBytes(4).toString('hex')}`;
  const v1Schema = widgetSchema(namespace);
  const subject = subjectFor(v1Schema);
  // Compatible under BACKWARD: a v2 reader fills the new field's default when reading v1 data.
  const v2Schema = widgetSchema(namespace, [{ name: 'colour', type: 'string', default: 'grey' }]);

  async function registryConfig(name: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${infra.schemaRegistryUrl}/config/${encodeURIComponent(name)}`);
    return { status: response.status, body: await response.json() };
  }

  async function putCompatibility(name: string, level: string): Promise<void> {
    const response = await fetch(`${infra.schemaRegistryUrl}/config/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': REGISTRY_JSON },
      body: JSON.stringify({ compatibility: level }),
    });
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    await admin.connect();
    // Explicit, before v1 is registered: the test must not depend on the registry's global default.
    await putCompatibility(subject, 'BACKWARD');
  });
  afterAll(() => admin.disconnect());

  it('accepts a compatible version, refuses incompatible ones, and never touches the compatibility level', async () => {
    const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
    const v1Id = await codec.register(v1Schema);

    // A new field without a default: a v2 reader could not read v1 data.
    const withoutDefault = widgetSchema(namespace, [{ name: 'colour', type: 'string' }]);
    // A type change that Avro cannot promote (string cannot be read as int).
    const typeChange: AvroRecordSchema = {
      ...v1Schema,
      fields: [
        { name: 'widgetId', type: 'int' },
        { name: 'size', type: 'int' },
      ],
    };
    for (const incompatible of [withoutDefault, typeChange]) {
      const registering = codec.register(incompatible);
      await expect(registering).rejects.toBeInstanceOf(SchemaError);
      await expect(registering).rejects.toThrow(
        new RegExp(`^Schema for subject ${subject.replace(/\./g, '\\.')} is incompatible `),
      );
      await expect(registering).rejects.toMatchObject({ retriable: false, code: 'MESSAGING_SCHEMA' });
    }

    const v2Id = await codec.register(v2Schema);
    expect(v2Id).not.toBe(v1Id);
    // Registering an already registered version is idempotent, also from a fresh codec (no cache).
    expect(await new AvroCodec({ registryUrl: infra.schemaRegistryUrl }).register(v1Schema)).toBe(v1Id);

    const versions = (await (
      await fetch(`${infra.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}/versions`)
    ).json()) as number[];
    expect(versions).toHaveLength(2);
    expect(await registryConfig(subject)).toEqual({
      status: 200,
      body: expect.objectContaining({ compatibilityLevel: 'BACKWARD' }) as unknown,
    });

    // A stricter level stays as it is: the codec neither overwrites it nor refuses to register under it
    // (@kafkajs/confluent-schema-registry's own `register` would do one or the other).
    const strict = widgetSchema(`${namespace}.strict`);
    await putCompatibility(subjectFor(strict), 'FULL_TRANSITIVE');
    await codec.register(strict);
    expect((await registryConfig(subjectFor(strict))).body).toMatchObject({
      compatibilityLevel: 'FULL_TRANSITIVE',
    });
    // A subject nobody configured keeps following the global default.
    const unconfigured = widgetSchema(`${namespace}.unconfigured`);
    await codec.register(unconfigured);
    expect((await registryConfig(subjectFor(unconfigured))).body).toEqual(
      (await fetch(`${infra.schemaRegistryUrl}/config`).then((r) => r.json())) as unknown,
    );
  });

  it('lets a v1 consumer read v2 records and a v2 consumer read v1 records from a topic', async () => {
    const topic = await createTestTopic(admin, 'evolution.widgets', { partitions: 1 });
    const type = `${namespace}.WidgetResized`;
    const v1: EventDefinition<WidgetV1> = { type, topic, schema: v1Schema, key: (w) => w.widgetId };
    const v2: EventDefinition<WidgetV2> = { type, topic, schema: v2Schema, key: (w) => w.widgetId };

    // The producer knows both versions: an old service still writing v1 and an upgraded one writing v2.
    const producerCodec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const producer = client.producer();
    await producer.connect();
    try {
      await producer.send(topic, [
        await producerCodec.encode(v1, { widgetId: 'w-1', size: 3 }, { source: '/test/old' }),
        await producerCodec.encode(v2, { widgetId: 'w-1', size: 4, colour: 'red' }, { source: '/test/new' }),
      ]);
    } finally {
      await producer.disconnect();
    }

    const records: ConsumedRecord[] = [];
    const consumer = client.consumer({ groupId: uniqueName('evolution-reader') });
    await consumer.connect();
    try {
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run({
        eachRecord: async (record) => {
          records.push(record);
        },
      });
      await waitFor(() => records.length === 2, { description: `2 records on ${topic}` });
    } finally {
      await consumer.disconnect();
    }
    // The two records carry different writer schema ids.
    expect(records[0]?.value?.readInt32BE(1)).not.toBe(records[1]?.value?.readInt32BE(1));

    // Each consumer has its own codec (no shared cache) and knows only its own version.
    const v1Consumer = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const v2Consumer = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const asV1 = await Promise.all(records.map((r) => v1Consumer.decode(r, new EventRegistry([v1]))));
    const asV2 = await Promise.all(records.map((r) => v2Consumer.decode(r, new EventRegistry([v2]))));

    // v1 reader: the field it does not know is dropped.
    expect(asV1.map((e) => e.data)).toEqual([
      { widgetId: 'w-1', size: 3 },
      { widgetId: 'w-1', size: 4 },
    ]);
    // v2 reader: v1 data gets the new field's default.
    expect(asV2.map((e) => e.data)).toEqual([
      { widgetId: 'w-1', size: 3, colour: 'grey' },
      { widgetId: 'w-1', size: 4, colour: 'red' },
    ]);
    expect(asV2.map((e) => e.source)).toEqual(['/test/old', '/test/new']);
  });
});
