import type { AvroRecordSchema } from '../codec/avro-codec';
import type { PayloadCodec } from '../codec/payload-codec';
import type { EventDefinition } from '../core/event-definition';
import { SchemaError, TransportError } from '../errors/messaging.error';
import type {
  OutgoingRecord,
  ProducerOptions,
  ProducerPort,
  ProducerTransaction,
  RecordMetadata,
} from '../ports/kafka-client.port';
import { PublishError } from './publish.error';
import { event, Publisher } from './publisher';

/** Records what the publisher asks of its producer; fails sends to topics listed in `failing`. */
class RecordingProducer implements ProducerPort {
  readonly sends: { topic: string; records: OutgoingRecord[] }[] = [];
  readonly failing = new Map<string, Error>();

  connect(): Promise<void> {
    return Promise.resolve();
  }

  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    const failure = this.failing.get(topic);
    if (failure) return Promise.reject(failure);
    this.sends.push({ topic, records });
    return Promise.resolve([{ topic, partition: 0, offset: String(this.sends.length * 10) }]);
  }

  transaction(): Promise<ProducerTransaction> {
    return Promise.reject(new Error('not transactional'));
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

class CountingCodec implements PayloadCodec {
  readonly registered: AvroRecordSchema[] = [];

  register(schema: AvroRecordSchema): Promise<number> {
    this.registered.push(schema);
    return Promise.resolve(this.registered.length);
  }

  encode(schema: AvroRecordSchema, value: unknown): Promise<Buffer> {
    if ((value as Item).invalid) return Promise.reject(new SchemaError(`bad value for ${schema.name}`));
    return Promise.resolve(Buffer.from(JSON.stringify(value)));
  }

  decode<T>(): Promise<T> {
    return Promise.reject(new Error('not used'));
  }
}

interface Item {
  id: string;
  /** Makes the fake codec refuse the value, like a value that does not fit its Avro schema. */
  invalid?: boolean;
}
const definition = (name: string, topic: string): EventDefinition<Item> => ({
  type: `test.${name}`,
  topic,
  schema: { type: 'record', name, fields: [] },
  key: (item) => item.id,
});
const a = definition('A', 'topic-a');
const b = definition('B', 'topic-b');

function setup(definitions: EventDefinition<Item>[] = []) {
  const producer = new RecordingProducer();
  const codec = new CountingCodec();
  const producerOptions: ProducerOptions[] = [];
  const publisher = new Publisher({
    client: {
      producer: (options) => {
        producerOptions.push(options ?? {});
        return producer;
      },
    },
    codec,
    source: '/test/publisher',
    compression: 'gzip',
    definitions,
  });
  return { producer, codec, producerOptions, publisher };
}

describe('Publisher', () => {
  it('asks for an idempotent producer with the configured compression', () => {
    const { producerOptions } = setup();
    expect(producerOptions).toEqual([{ idempotent: true, compression: 'gzip' }]);
  });

  it('registers the configured definitions on connect', async () => {
    const { codec, publisher } = setup([a, b]);
    await publisher.connect();
    expect(codec.registered).toEqual([a.schema, b.schema]);
  });

  it('publishes one record to the definition topic, with the default source, returning envelope and position', async () => {
    const { producer, publisher } = setup();
    const published = await publisher.publish(a, { id: 'x-1' });

    expect(producer.sends).toHaveLength(1);
    expect(producer.sends[0]?.topic).toBe('topic-a');
    expect(producer.sends[0]?.records[0]?.key).toBe('x-1');
    expect(producer.sends[0]?.records[0]?.headers?.['ce_source']).toBe('/test/publisher');
    expect(published).toMatchObject({ topic: 'topic-a', partition: 0, offset: '10' });
    expect(published.envelope).toMatchObject({ type: 'test.A', subject: 'x-1', data: { id: 'x-1' } });
  });

  it('lets a publish override the source', async () => {
    const { producer, publisher } = setup();
    await publisher.publish(a, { id: 'x-1' }, { source: '/other' });
    expect(producer.sends[0]?.records[0]?.headers?.['ce_source']).toBe('/other');
  });

  it('sends a batch with one send per topic, topics in order of first appearance, records in order', async () => {
    const { producer, publisher } = setup();
    const result = await publisher.publishBatch([
      event(b, { id: 'b-1' }),
      event(a, { id: 'a-1' }),
      event(b, { id: 'b-2' }),
      event(a, { id: 'a-2' }),
    ]);

    expect(producer.sends.map((s) => [s.topic, s.records.map((r) => r.key)])).toEqual([
      ['topic-b', ['b-1', 'b-2']],
      ['topic-a', ['a-1', 'a-2']],
    ]);
    expect(result.envelopes.map((e) => e.subject)).toEqual(['b-1', 'a-1', 'b-2', 'a-2']);
    expect(result.metadata.map((m) => m.topic)).toEqual(['topic-b', 'topic-a']);
  });

  it('leaves schema problems as SchemaError and sends nothing of the batch', async () => {
    const { producer, publisher } = setup();
    const publishing = publisher.publishBatch([
      event(a, { id: 'a-1' }),
      event(b, { id: 'b-1', invalid: true }),
    ]);
    await expect(publishing).rejects.toBeInstanceOf(SchemaError);
    expect(producer.sends).toEqual([]);
  });

  it('wraps a failed send in a PublishError naming the unsent topics', async () => {
    const { producer, publisher } = setup();
    producer.failing.set('topic-b', new TransportError('Kafka send failed: boom'));

    const publishing = publisher.publishBatch([event(a, { id: 'a-1' }), event(b, { id: 'b-1' })]);
    await expect(publishing).rejects.toBeInstanceOf(PublishError);
    await expect(publishing).rejects.toMatchObject({
      code: 'MESSAGING_PUBLISH',
      unsentTopics: ['topic-b'],
      message: 'Publishing 1 record(s) to topic-b failed: Kafka send failed: boom',
    });
    expect(producer.sends.map((s) => s.topic)).toEqual(['topic-a']);
  });
});

describe('PublishError.retriable', () => {
  /** The shape of a client error that says whether it is worth retrying (kafkajs's errors have `retriable`). */
  const clientError = (message: string, retriable: boolean, cause?: unknown) =>
    Object.assign(new Error(message, { cause }), { retriable });

  it.each([
    [
      'a transport error over a retriable cause',
      new TransportError('x', { cause: clientError('conn', true) }),
      true,
    ],
    [
      'a transport error over a non-retriable cause (e.g. record too large)',
      new TransportError('x', { cause: clientError('MESSAGE_TOO_LARGE', false) }),
      false,
    ],
    [
      'retries exhausted over a retriable root cause: the innermost verdict counts',
      new TransportError('x', {
        cause: clientError('retries exceeded', false, clientError('leader moved', true)),
      }),
      true,
    ],
    ['a cause that says nothing', new Error('unknown'), true],
  ])('%s → %p', (_case, cause, retriable) => {
    expect(new PublishError('failed', [], { cause }).retriable).toBe(retriable);
  });
});
