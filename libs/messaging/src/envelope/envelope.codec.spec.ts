import type { AvroRecordSchema } from '../codec/avro-codec';
import type { PayloadCodec } from '../codec/payload-codec';
import { HEADERS } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import { DecodeError, SchemaError, TransportError } from '../errors/messaging.error';
import type { ConsumedRecord, OutgoingRecord } from '../ports/kafka-client.port';
import { AVRO_CONTENT_TYPE, EnvelopeCodec, isValidTraceparent } from './envelope.codec';
import { InvalidEnvelopeError } from './envelope.error';
import { EventRegistry } from './event-registry';

/** Stands in for AvroCodec where the registry is not the point: JSON bytes, remembering the reader schema. */
class JsonPayloadCodec implements PayloadCodec {
  readonly readers: (AvroRecordSchema | undefined)[] = [];
  failWith?: Error;

  register(): Promise<number> {
    return Promise.resolve(1);
  }

  encode(_schema: AvroRecordSchema, value: unknown): Promise<Buffer> {
    return Promise.resolve(Buffer.from(JSON.stringify(value)));
  }

  decode<T>(bytes: Buffer | null, readerSchema?: AvroRecordSchema): Promise<T> {
    this.readers.push(readerSchema);
    if (this.failWith) return Promise.reject(this.failWith);
    try {
      return Promise.resolve(JSON.parse(bytes?.toString() ?? '') as T);
    } catch {
      return Promise.reject(new DecodeError('not JSON'));
    }
  }
}

interface ThingHappened {
  thingId: string;
  n: number;
}

const thingHappened: EventDefinition<ThingHappened> = {
  type: 'test.ThingHappened',
  topic: 'things.events',
  schema: { type: 'record', name: 'ThingHappened', namespace: 'test', fields: [] },
  key: (data) => data.thingId,
};

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function consumed(record: OutgoingRecord, overrides: Partial<ConsumedRecord> = {}): ConsumedRecord {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) headers[name] = Buffer.from(value);
  return {
    topic: 'things.events',
    partition: 2,
    offset: '41',
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value,
    headers,
    timestamp: '0',
    ...overrides,
  };
}

function stringHeaders(record: OutgoingRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record.headers ?? {}).map(([k, v]) => [k, v.toString()]));
}

describe('EnvelopeCodec', () => {
  let payloads: JsonPayloadCodec;
  let codec: EnvelopeCodec;
  const registry = new EventRegistry([thingHappened]);

  beforeEach(() => {
    payloads = new JsonPayloadCodec();
    codec = new EnvelopeCodec(payloads);
  });

  describe('encode', () => {
    it('maps the envelope to CloudEvents binary-mode headers, key = aggregate id, value = payload', async () => {
      const time = new Date('2026-03-01T10:20:30.456Z');
      const record = await codec.encode(
        thingHappened,
        { thingId: 'thing-7', n: 3 },
        { source: '/orderstream/things', id: 'event-1', time, traceparent: TRACEPARENT },
      );

      expect(record.key).toBe('thing-7');
      expect(JSON.parse(record.value?.toString() ?? '')).toEqual({ thingId: 'thing-7', n: 3 });
      expect(stringHeaders(record)).toEqual({
        ce_id: 'event-1',
        ce_type: 'test.ThingHappened',
        ce_source: '/orderstream/things',
        ce_subject: 'thing-7',
        ce_time: '2026-03-01T10:20:30.456Z',
        ce_specversion: '1.0',
        'content-type': 'application/avro',
        traceparent: TRACEPARENT,
        'correlation-id': 'event-1',
      });
    });

    it('gives each event a fresh UUIDv7 and starts a new flow: correlation id = own id, no causation', async () => {
      const a = codec.create(thingHappened, { thingId: 't', n: 1 }, { source: '/s' });
      const b = codec.create(thingHappened, { thingId: 't', n: 2 }, { source: '/s' });

      expect(a.id).toMatch(UUID_V7);
      expect(b.id).toMatch(UUID_V7);
      expect(a.id).not.toBe(b.id);
      expect(a.correlationId).toBe(a.id);
      expect(a.causationId).toBeUndefined();
      expect(a.traceparent).toBeUndefined();
      expect(a.specversion).toBe('1.0');
      expect(a.datacontenttype).toBe(AVRO_CONTENT_TYPE);
    });

    it('carries correlation id and traceparent from the cause, and points causation at the cause', async () => {
      const cause = codec.create(
        thingHappened,
        { thingId: 't', n: 1 },
        { source: '/a', correlationId: 'flow-1', traceparent: TRACEPARENT },
      );
      const effect = codec.create(thingHappened, { thingId: 'u', n: 2 }, { source: '/b', causedBy: cause });
      const record = await codec.toRecord(thingHappened, effect);

      expect(effect).toMatchObject({
        correlationId: 'flow-1',
        causationId: cause.id,
        traceparent: TRACEPARENT,
      });
      expect(stringHeaders(record)).toMatchObject({
        'correlation-id': 'flow-1',
        'causation-id': cause.id,
        traceparent: TRACEPARENT,
      });
    });

    it('lets explicit correlation id and traceparent override the cause', () => {
      const other = '00-11111111111111111111111111111111-2222222222222222-00';
      const effect = codec.create(
        thingHappened,
        { thingId: 'u', n: 2 },
        {
          source: '/b',
          causedBy: { id: 'c-1', correlationId: 'flow-1' },
          correlationId: 'flow-2',
          traceparent: other,
        },
      );
      expect(effect).toMatchObject({ correlationId: 'flow-2', causationId: 'c-1', traceparent: other });
    });

    it.each([
      ['an empty source', { source: '' }, /ce_source/],
      ['an empty id', { source: '/s', id: '' }, /ce_id/],
      ['a malformed traceparent', { source: '/s', traceparent: 'abc' }, /traceparent/],
      ['an invalid time', { source: '/s', time: new Date(Number.NaN) }, /ce_time/],
    ])('rejects %s with InvalidEnvelopeError', (_case, options, message) => {
      const build = () => codec.create(thingHappened, { thingId: 't', n: 1 }, options);
      expect(build).toThrow(InvalidEnvelopeError);
      expect(build).toThrow(message);
    });

    it('rejects an empty aggregate id, since it is both the key and ce_subject', () => {
      expect(() => codec.create(thingHappened, { thingId: '', n: 1 }, { source: '/s' })).toThrow(
        /key \(ce_subject\) of test.ThingHappened must not be empty/,
      );
    });
  });

  describe('decode', () => {
    async function encoded(): Promise<OutgoingRecord> {
      return codec.encode(
        thingHappened,
        { thingId: 'thing-7', n: 3 },
        {
          source: '/orderstream/things',
          id: 'event-2',
          time: new Date('2026-03-01T10:20:30.456Z'),
          causedBy: { id: 'event-1', correlationId: 'flow-1', traceparent: TRACEPARENT },
        },
      );
    }

    it('round-trips every attribute and decodes with the reader schema registered for ce_type', async () => {
      const envelope = await codec.decode(consumed(await encoded()), registry);

      expect(envelope).toEqual({
        id: 'event-2',
        type: 'test.ThingHappened',
        source: '/orderstream/things',
        subject: 'thing-7',
        time: '2026-03-01T10:20:30.456Z',
        specversion: '1.0',
        datacontenttype: 'application/avro',
        traceparent: TRACEPARENT,
        correlationId: 'flow-1',
        causationId: 'event-1',
        data: { thingId: 'thing-7', n: 3 },
      });
      expect(payloads.readers).toEqual([thingHappened.schema]);
    });

    it.each([
      HEADERS.id,
      HEADERS.type,
      HEADERS.source,
      HEADERS.subject,
      HEADERS.time,
      HEADERS.specversion,
      HEADERS.contentType,
    ])('fails with a non-retriable DecodeError naming the record when %s is missing', async (header) => {
      const record = consumed(await encoded());
      delete record.headers[header];

      const decoding = codec.decode(record, registry);
      await expect(decoding).rejects.toThrow(DecodeError);
      await expect(decoding).rejects.toThrow(`Record things.events[2]@41 has no ${header} header`);
      await expect(decoding).rejects.toMatchObject({ retriable: false, code: 'MESSAGING_DECODE' });
    });

    it.each([
      [HEADERS.specversion, '0.3', /ce_specversion 0.3, expected 1.0/],
      [HEADERS.time, 'yesterday', /ce_time 'yesterday', which is not an RFC 3339 timestamp/],
      [
        HEADERS.contentType,
        'application/json',
        /content-type 'application\/json', expected application\/avro/,
      ],
      [HEADERS.id, '', /has no ce_id header/],
    ])('fails with DecodeError when %s is %p', async (header, value, message) => {
      const record = consumed(await encoded());
      record.headers[header] = Buffer.from(value);
      await expect(codec.decode(record, registry)).rejects.toThrow(message);
    });

    it('accepts media type parameters on content-type', async () => {
      const record = consumed(await encoded());
      record.headers[HEADERS.contentType] = Buffer.from('application/avro; charset=binary');
      await expect(codec.decode(record, registry)).resolves.toMatchObject({ id: 'event-2' });
    });

    it('fails with DecodeError on an unknown ce_type, listing the known ones', async () => {
      const record = consumed(await encoded());
      record.headers[HEADERS.type] = Buffer.from('test.Unknown');
      await expect(codec.decode(record, registry)).rejects.toThrow(
        "Record things.events[2]@41 has unknown ce_type 'test.Unknown' (known: test.ThingHappened)",
      );
      expect(payloads.readers).toEqual([]);
    });

    it('fails with DecodeError naming the record and type on garbage bytes', async () => {
      const record = consumed(await encoded(), { value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) });
      const decoding = codec.decode(record, registry);
      await expect(decoding).rejects.toThrow(DecodeError);
      await expect(decoding).rejects.toThrow('Record things.events[2]@41 (test.ThingHappened): not JSON');
    });

    it('fails with SchemaError naming the record and type when the payload breaks its contract', async () => {
      payloads.failWith = new SchemaError('breaks the contract of test.ThingHappened (thingId)');
      const decoding = codec.decode(consumed(await encoded()), registry);
      await expect(decoding).rejects.toThrow(SchemaError);
      await expect(decoding).rejects.toThrow(
        'Record things.events[2]@41 (test.ThingHappened): breaks the contract of test.ThingHappened (thingId)',
      );
    });

    it('keeps an unreachable registry retriable instead of calling the record undecodable', async () => {
      payloads.failWith = new TransportError('registry down');
      await expect(codec.decode(consumed(await encoded()), registry)).rejects.toBeInstanceOf(TransportError);
    });

    it('starts a flow for a record without correlation-id and ignores a malformed traceparent', async () => {
      const record = consumed(await encoded());
      delete record.headers[HEADERS.correlationId];
      delete record.headers[HEADERS.causationId];
      record.headers[HEADERS.traceparent] = Buffer.from('not-a-traceparent');

      const envelope = await codec.decode(record, registry);
      expect(envelope.correlationId).toBe('event-2');
      expect(envelope).not.toHaveProperty('causationId');
      expect(envelope).not.toHaveProperty('traceparent');
    });

    it('reads repeating headers right when they change between records and when a buffer is reused', async () => {
      const other: EventDefinition<ThingHappened> = { ...thingHappened, type: 'test.OtherThing' };
      const both = new EventRegistry([thingHappened, other]);
      const record = consumed(await encoded());
      const source = Buffer.from('/orderstream/things');
      record.headers[HEADERS.source] = source;

      const types: string[] = [];
      for (const type of ['test.ThingHappened', 'test.OtherThing', 'test.OtherThing', 'test.ThingHappened']) {
        types.push(
          (
            await codec.decode(
              { ...record, headers: { ...record.headers, [HEADERS.type]: Buffer.from(type) } },
              both,
            )
          ).type,
        );
      }
      expect(types).toEqual([
        'test.ThingHappened',
        'test.OtherThing',
        'test.OtherThing',
        'test.ThingHappened',
      ]);

      // The same bytes object, overwritten in place (as a pooled buffer would be): read anew, not remembered.
      source.write('/orderstream/thingz');
      expect((await codec.decode(record, registry)).source).toBe('/orderstream/thingz');
    });
  });
});

interface ThingGone {
  thingId: string;
}

const thingGone: EventDefinition<ThingGone> = {
  type: 'test.ThingGone',
  topic: 'things.latest',
  schema: {
    type: 'record',
    name: 'ThingGone',
    namespace: 'test',
    fields: [{ name: 'thingId', type: 'string' }],
  },
  key: (data) => data.thingId,
  tombstone: true,
};

describe('EnvelopeCodec: tombstones', () => {
  const registry = new EventRegistry([thingHappened, thingGone]);
  let payloads: JsonPayloadCodec;
  let codec: EnvelopeCodec;

  beforeEach(() => {
    payloads = new JsonPayloadCodec();
    codec = new EnvelopeCodec(payloads);
  });

  it('encodes a tombstone as its key and CloudEvents headers with a null value and no content-type', async () => {
    const record = await codec.encode(
      thingGone,
      { thingId: 'thing-7' },
      { source: '/orderstream/things', id: 'event-9', time: new Date('2026-03-01T10:20:30.456Z') },
    );

    expect(record.key).toBe('thing-7');
    expect(record.value).toBeNull();
    expect(stringHeaders(record)).toEqual({
      ce_id: 'event-9',
      ce_type: 'test.ThingGone',
      ce_source: '/orderstream/things',
      ce_subject: 'thing-7',
      ce_time: '2026-03-01T10:20:30.456Z',
      ce_specversion: '1.0',
      'correlation-id': 'event-9',
    });
    expect(codec.create(thingGone, { thingId: 't' }, { source: '/s' }).datacontenttype).toBeUndefined();
  });

  it('decodes a tombstone into its data rebuilt from the key, without reading a payload', async () => {
    const record = await codec.encode(thingGone, { thingId: 'thing-7' }, { source: '/s', id: 'event-9' });

    const envelope = await codec.decode(consumed(record, { topic: 'things.latest' }), registry);

    expect(envelope).toMatchObject({ id: 'event-9', type: 'test.ThingGone', subject: 'thing-7' });
    expect(envelope.data).toEqual({ thingId: 'thing-7' });
    expect(envelope.datacontenttype).toBeUndefined();
    expect(payloads.readers).toEqual([]);
  });

  it('refuses a tombstone type that carries a value, or has no key, as undecodable', async () => {
    const record = await codec.encode(thingGone, { thingId: 'thing-7' }, { source: '/s' });

    await expect(codec.decode(consumed(record, { value: Buffer.from('{}') }), registry)).rejects.toThrow(
      new DecodeError('Record things.events[2]@41 is a test.ThingGone tombstone but has a value'),
    );
    await expect(codec.decode(consumed(record, { key: null }), registry)).rejects.toThrow(
      new DecodeError('Record things.events[2]@41 is a test.ThingGone tombstone without a key'),
    );
  });

  it('refuses a null value for an event type that is not a tombstone', async () => {
    const record = await codec.encode(thingHappened, { thingId: 't', n: 1 }, { source: '/s' });

    await expect(codec.decode(consumed(record, { value: null }), registry)).rejects.toBeInstanceOf(
      DecodeError,
    );
  });
});

describe('isValidTraceparent', () => {
  it.each([
    [TRACEPARENT, true],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', false],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', false],
    ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', false],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', false],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', false],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', true],
  ])('%s → %p', (value, valid) => {
    expect(isValidTraceparent(value)).toBe(valid);
  });
});
