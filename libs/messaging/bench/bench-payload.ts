/**
 * The benchmark's event: an order with ten lines and a note padded so that every record value (Confluent
 * header + Avro body) is exactly `PAYLOAD_BYTES` long. Records are generated from their index, so every
 * contender gets byte-for-byte the same data set. The namespace carries a run id: subjects are global in the
 * registry, and a run must not collide with an earlier run's schema.
 */
import { Type } from 'avsc';
import { subjectFor, type AvroRecordSchema, type EventDefinition } from '../src';

export const PAYLOAD_BYTES = 1_024;
/** Distinct keys (aggregate ids) the records are spread over. */
export const KEYS = 1_000;
/** Magic byte + 4-byte schema id in front of every Avro body (Confluent wire format). */
const WIRE_HEADER_BYTES = 5;
const LINES = 10;

export interface BenchOrder {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  lines: { sku: string; quantity: number; priceCents: number }[];
  note: string;
}

export function benchOrderSchema(runId: string): AvroRecordSchema {
  return {
    type: 'record',
    name: 'BenchOrderPlaced',
    namespace: `orderstream.bench.r${runId}`,
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'customerId', type: 'string' },
      { name: 'amountCents', type: 'long' },
      { name: 'currency', type: 'string' },
      {
        name: 'lines',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'BenchOrderLine',
            fields: [
              { name: 'sku', type: 'string' },
              { name: 'quantity', type: 'int' },
              { name: 'priceCents', type: 'long' },
            ],
          },
        },
      },
      { name: 'note', type: 'string' },
    ],
  };
}

export function benchOrderDefinition(topic: string, schema: AvroRecordSchema): EventDefinition<BenchOrder> {
  return { type: subjectFor(schema), topic, schema, key: (order) => order.orderId };
}

const fixed = (n: number, width: number): string => n.toString().padStart(width, '0');

/**
 * Record `index` of the data set. Every field has a fixed encoded width (fixed-width strings, numbers whose
 * zig-zag varint length does not change over their range), so one note length fits all records.
 */
export function benchOrder(index: number, noteLength: number): BenchOrder {
  return {
    orderId: `order-${fixed(index % KEYS, 6)}`,
    customerId: `customer-${fixed(index % 97, 4)}`,
    amountCents: 100_000 + (index % 900_000),
    currency: 'EUR',
    lines: Array.from({ length: LINES }, (_, line) => ({
      sku: `sku-${fixed((index + line) % 10_000, 8)}`,
      quantity: 1 + ((index + line) % 9),
      priceCents: 1_000 + ((index * 7 + line) % 3_000),
    })),
    note: 'x'.repeat(noteLength),
  };
}

/** The note length that makes record values exactly `PAYLOAD_BYTES` long. */
export function noteLengthFor(schema: AvroRecordSchema): number {
  const type = Type.forSchema(schema as unknown as Parameters<typeof Type.forSchema>[0]);
  const body = (noteLength: number): number => type.toBuffer(benchOrder(0, noteLength)).length;
  const target = PAYLOAD_BYTES - WIRE_HEADER_BYTES;
  // The note's length prefix is a varint, so solve by stepping down from the first guess.
  let noteLength = target - body(0);
  while (noteLength > 0 && body(noteLength) > target) noteLength -= 1;
  if (body(noteLength) !== target) throw new Error(`Cannot pad the bench payload to ${PAYLOAD_BYTES} bytes`);
  return noteLength;
}
