/**
 * The record encoder that replaces kafkajs's writes byte for byte what kafkajs's own writes, for every
 * shape of record kafkajs accepts, and is the one kafkajs's produce request uses once the adapter loaded.
 */
import { createRequire } from 'node:module';
import './kafkajs-client';
import {
  encodeRecord,
  fixRecordEncoder,
  kafkaJsRecordEncoder,
  type KafkaJsRecord,
} from './record-encoder.patch';

const bytes = (record: KafkaJsRecord) =>
  Buffer.from((encodeRecord(record) as unknown as { buffer: Buffer }).buffer);
const kafkaJsBytes = (record: KafkaJsRecord) =>
  Buffer.from((kafkaJsRecordEncoder(record) as unknown as { buffer: Buffer }).buffer);

const cloudEventsHeaders = {
  ce_id: '0192d4e3-7c1a-7cc4-9a4e-3f0e2b1c5d6e',
  ce_type: 'orderstream.orders.OrderPlaced',
  ce_source: '/orderstream/orders',
  ce_subject: 'order-1',
  ce_time: '2026-12-07T15:00:00.000Z',
  ce_specversion: '1.0',
  'content-type': 'application/avro',
  'correlation-id': Buffer.from('c0ffee'),
};

const records: [string, KafkaJsRecord][] = [
  ['a Buffer key and value, no headers', { key: Buffer.from('k'), value: Buffer.alloc(1024, 7) }],
  ['string key and value', { key: 'order-1', value: 'héllo wörld ✓' }],
  ['a null key', { key: null, value: Buffer.from([1, 2, 3]) }],
  ['no key at all', { value: Buffer.from([1]) }],
  ['a null value (a tombstone) with headers', { key: 'sku-1', value: null, headers: { ce_type: 'x' } }],
  ['an empty value', { key: 'k', value: Buffer.alloc(0) }],
  [
    'eight CloudEvents headers',
    { key: 'order-1', value: Buffer.alloc(1024, 1), headers: cloudEventsHeaders },
  ],
  ['a repeated header (array)', { key: 'k', value: 'v', headers: { a: ['1', Buffer.from('2')], b: 'ü' } }],
  ['an empty header value', { key: 'k', value: 'v', headers: { empty: '' } }],
  [
    'offset and timestamp deltas, small and large',
    { offsetDelta: 499, timestampDelta: 1_733_583_600_123, key: 'k', value: Buffer.alloc(300) },
  ],
  ['a negative timestamp delta', { offsetDelta: 3, timestampDelta: -5, key: 'k', value: 'v' }],
  ['a value longer than one varint byte counts', { key: 'k'.repeat(200), value: Buffer.alloc(70_000, 9) }],
];

describe('the record encoder installed in kafkajs', () => {
  it.each(records)('writes the bytes kafkajs writes: %s', (_name, record) => {
    expect(bytes(record).equals(kafkaJsBytes(record))).toBe(true);
  });

  it('writes a header with a null value as a null header value, where kafkajs throws', () => {
    const record = { key: 'k', value: 'v', headers: { gone: null, there: 'x' } };
    expect(() => kafkaJsRecordEncoder(record)).toThrow(/must be of type string/);
    const withNull = bytes(record);
    const withoutNull = bytes({ key: 'k', value: 'v', headers: { there: 'x' } });
    // One more header: the count (varint 2 → 4) and "gone" (length 4, then the bytes) and a null value (-1 → 1).
    expect(withNull.length - withoutNull.length).toBe(1 + 4 + 1);
  });

  it("is kafkajs's record encoder from the produce request's point of view", () => {
    expect(fixRecordEncoder()).toBe(true);
    expect(fixRecordEncoder()).toBe(true);
    const record = createRequire(__filename)('kafkajs/src/protocol/recordBatch/record/v0') as unknown;
    expect(record).toBe(encodeRecord);
  });
});
