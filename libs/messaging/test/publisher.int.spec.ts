/**
 * The publisher against the real broker and registry: what lands on the topic is read back with a raw
 * consumer port (no library decoding in between) and checked header by header, and correlation and
 * causation are carried across two hops of consume → publish.
 */
import { randomBytes } from 'node:crypto';
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import {
  AvroCodec,
  EnvelopeCodec,
  event,
  EventRegistry,
  Publisher,
  SchemaError,
  subjectFor,
  type AvroRecordSchema,
  type ConsumedRecord,
  type EventDefinition,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';

interface Noted {
  noteId: string;
  text: string;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('Publisher against the real broker and registry', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'publisher-test' });
  const admin = client.admin();
  const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  // Subjects are global in the registry: a namespace of this run's own.
  const namespace = `orderstream.test.r${randomBytes(4).toString('hex')}`;
  const schema = (name: string): AvroRecordSchema => ({
    type: 'record',
    name,
    namespace,
    fields: [
      { name: 'noteId', type: 'string' },
      { name: 'text', type: 'string' },
    ],
  });
  const definition = (name: string, topic: string): EventDefinition<Noted> => ({
    type: `${namespace}.${name}`,
    topic,
    schema: schema(name),
    key: (n) => n.noteId,
  });
  const publishers: Publisher[] = [];

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.disconnect()));
    await admin.disconnect();
  });

  async function publisher(
    source: string,
    options: { compression?: 'gzip'; definitions?: EventDefinition<Noted>[] } = {},
  ): Promise<Publisher> {
    const p = new Publisher({ client, codec, source, ...options });
    await p.connect();
    publishers.push(p);
    return p;
  }

  /** Reads `count` records from the start of `topic` with a raw consumer port. */
  async function readBack(topic: string, count: number): Promise<ConsumedRecord[]> {
    const records: ConsumedRecord[] = [];
    const consumer = client.consumer({ groupId: uniqueName('publisher-reader') });
    await consumer.connect();
    try {
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run({
        eachRecord: async (record) => {
          records.push(record);
        },
      });
      await waitFor(() => records.length >= count, { description: `${count} records on ${topic}` });
    } finally {
      await consumer.disconnect();
    }
    expect(records).toHaveLength(count);
    return records;
  }

  const text = (headers: ConsumedRecord['headers']): Record<string, string | undefined> =>
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value?.toString()]));

  it('writes exact CloudEvents binary-mode headers, the aggregate id as key, and Confluent-framed Avro', async () => {
    const topic = await createTestTopic(admin, 'publisher.notes', { partitions: 3 });
    const noted = definition('NoteTaken', topic);
    const p = await publisher('/orderstream/publisher-test', { definitions: [noted] });
    // warmUp registered the schema at connect: its id is already in the registry.
    const latest = (await (
      await fetch(`${infra.schemaRegistryUrl}/subjects/${subjectFor(noted.schema)}/versions/latest`)
    ).json()) as { id: number };

    const time = new Date('2026-05-04T03:02:01.123Z');
    const published = await p.publish(
      noted,
      { noteId: 'note-42', text: 'hello' },
      { traceparent: TRACEPARENT, time },
    );

    const [record] = await readBack(topic, 1);
    expect(published.envelope.id).toMatch(UUID_V7);
    expect({ partition: record?.partition, offset: record?.offset }).toEqual({
      partition: published.partition,
      offset: published.offset,
    });
    expect(record?.key?.toString()).toBe('note-42');
    expect(text(record?.headers ?? {})).toEqual({
      ce_id: published.envelope.id,
      ce_type: noted.type,
      ce_source: '/orderstream/publisher-test',
      ce_subject: 'note-42',
      ce_time: '2026-05-04T03:02:01.123Z',
      ce_specversion: '1.0',
      'content-type': 'application/avro',
      traceparent: TRACEPARENT,
      'correlation-id': published.envelope.id,
    });
    expect(record?.value?.[0]).toBe(0);
    expect(record?.value?.readInt32BE(1)).toBe(latest.id);
    expect(await codec.decode(record?.value ?? null)).toEqual({ noteId: 'note-42', text: 'hello' });
  });

  it('carries correlation, causation and trace context across two hops of consume → publish', async () => {
    const topics = await Promise.all(
      ['hop.a', 'hop.b', 'hop.c'].map((prefix) => createTestTopic(admin, `publisher.${prefix}`)),
    );
    const [first, second, third] = (['Asked', 'Answered', 'Acknowledged'] as const).map((name, i) =>
      definition(name, topics[i] ?? ''),
    ) as [EventDefinition<Noted>, EventDefinition<Noted>, EventDefinition<Noted>];
    const registry = new EventRegistry([first, second, third]);
    const envelopes = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const asker = await publisher('/test/asker');
    const answerer = await publisher('/test/answerer');

    const origin = await asker.publish(
      first,
      { noteId: 'n-1', text: 'question' },
      { traceparent: TRACEPARENT },
    );
    // Hop 1: a consumer of `first` decodes it and publishes `second`, caused by what it handled.
    const asked = await envelopes.decode((await readBack(first.topic, 1))[0] as ConsumedRecord, registry);
    await answerer.publish(second, { noteId: 'n-1', text: 'answer' }, { causedBy: asked });
    // Hop 2: the same from `second` to `third`.
    const answered = await envelopes.decode((await readBack(second.topic, 1))[0] as ConsumedRecord, registry);
    await asker.publish(third, { noteId: 'n-1', text: 'thanks' }, { causedBy: answered });
    const acknowledged = await envelopes.decode(
      (await readBack(third.topic, 1))[0] as ConsumedRecord,
      registry,
    );

    expect(asked).toMatchObject({ id: origin.envelope.id, correlationId: origin.envelope.id });
    expect(asked).not.toHaveProperty('causationId');
    expect(answered).toMatchObject({
      correlationId: origin.envelope.id,
      causationId: asked.id,
      traceparent: TRACEPARENT,
      source: '/test/answerer',
      data: { noteId: 'n-1', text: 'answer' },
    });
    expect(acknowledged).toMatchObject({
      correlationId: origin.envelope.id,
      causationId: answered.id,
      traceparent: TRACEPARENT,
      source: '/test/asker',
      data: { noteId: 'n-1', text: 'thanks' },
    });
    expect(new Set([asked.id, answered.id, acknowledged.id]).size).toBe(3);
  });

  it('publishes a gzip-compressed batch with one send per topic, keeping per-key order', async () => {
    const notes = await createTestTopic(admin, 'publisher.batch-notes', { partitions: 3 });
    const audit = await createTestTopic(admin, 'publisher.batch-audit', { partitions: 1 });
    const noted = definition('BatchNoted', notes);
    const audited = definition('BatchAudited', audit);
    const p = await publisher('/test/batch', { compression: 'gzip', definitions: [noted, audited] });

    const keys = ['k-1', 'k-2', 'k-3', 'k-4'];
    const batch = keys.flatMap((key) =>
      [1, 2, 3].map((n) => event(noted, { noteId: key, text: `${key}#${n}` })),
    );
    batch.push(event(audited, { noteId: 'audit', text: 'batch of 12' }));
    const result = await p.publishBatch(batch);

    expect(result.envelopes.map((e) => e.type)).toEqual([...Array(12).fill(noted.type), audited.type]);
    expect(new Set(result.metadata.map((m) => m.topic))).toEqual(new Set([notes, audit]));

    const records = await readBack(notes, 12);
    const decoded = await Promise.all(
      records.map(async (r) => ({ key: r.key?.toString(), data: await codec.decode<Noted>(r.value) })),
    );
    for (const key of keys) {
      expect(decoded.filter((d) => d.key === key).map((d) => d.data.text)).toEqual(
        [1, 2, 3].map((n) => `${key}#${n}`),
      );
    }
    const [auditRecord] = await readBack(audit, 1);
    expect(auditRecord?.headers['ce_id']?.toString()).toBe(result.envelopes[12]?.id);
  });

  it('refuses a value that does not fit its schema with a SchemaError and sends nothing', async () => {
    const topic = await createTestTopic(admin, 'publisher.invalid', { partitions: 1 });
    const noted = definition('BadNoted', topic);
    const p = await publisher('/test/invalid');

    const publishing = p.publish(noted, { noteId: 'n-1', text: 42 as unknown as string });
    await expect(publishing).rejects.toBeInstanceOf(SchemaError);
    await expect(publishing).rejects.toThrow(
      `Value does not match schema ${subjectFor(noted.schema)} (invalid: text)`,
    );
    expect(await admin.fetchEndOffsets(topic)).toEqual([{ partition: 0, offset: '0' }]);
  });
});
