import { randomUUID } from 'node:crypto';
import { Type, type Schema } from 'avsc';
import {
  CONTRACT_LOGICAL_TYPES,
  isContractLogicalType,
  LogicalTypeViolation,
  UuidLogicalType,
} from './contract-logical-types';

const placed = {
  type: 'record',
  name: 'Placed',
  fields: [
    { name: 'orderId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'customerId', type: 'string' },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Line',
          fields: [{ name: 'reservationId', type: { type: 'string', logicalType: 'uuid' } }],
        },
      },
    },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/** The same record before its ids declared a logical type: what an older producer writes with. */
const plain = JSON.parse(JSON.stringify(placed).replaceAll(',"logicalType":"uuid"', '')) as Schema;

const validated = Type.forSchema(placed as unknown as Schema, { logicalTypes: CONTRACT_LOGICAL_TYPES });
const unvalidated = Type.forSchema(plain);

const value = (orderId: string, reservationId: string = randomUUID()) => ({
  orderId,
  customerId: 'customer-1',
  lines: [{ reservationId }],
  placedAt: 1_764_300_000_000,
});

describe('contract logical types', () => {
  it('round-trips valid UUIDs unchanged, in either case, and leaves other logical types plain', () => {
    for (const orderId of [
      randomUUID(),
      randomUUID().toUpperCase(),
      '00000000-0000-0000-0000-000000000000',
    ]) {
      const event = value(orderId);
      const decoded = validated.fromBuffer(validated.toBuffer(event)) as typeof event;
      expect(decoded).toEqual(event);
      expect(typeof decoded.orderId).toBe('string');
      // timestamp-millis is not validated here: it stays a number, not a Date.
      expect(decoded.placedAt).toBe(1_764_300_000_000);
    }
  });

  it.each(['order-1', '', 'not-a-uuid', `${randomUUID()} `, randomUUID().replaceAll('-', '')])(
    'refuses to encode orderId %p',
    (orderId) => {
      expect(() => validated.toBuffer(value(orderId))).toThrow(LogicalTypeViolation);
      expect(validated.isValid(value(orderId))).toBe(false);
    },
  );

  it('refuses to decode bytes whose uuid field is not a UUID, though they are valid Avro', () => {
    const bytes = unvalidated.toBuffer(value('order-1'));

    expect(unvalidated.fromBuffer(bytes)).toMatchObject({ orderId: 'order-1' });
    expect(() => validated.fromBuffer(bytes)).toThrow(new LogicalTypeViolation('uuid', 'order-1'));
    expect(() => validated.fromBuffer(bytes)).toThrow('"order-1" is not a valid uuid');
  });

  it('checks a nested field too, also when resolving from a writer schema without the logical type', () => {
    const bytes = unvalidated.toBuffer(value(randomUUID(), 'reservation-7'));
    const resolver = validated.createResolver(unvalidated);

    expect(() => validated.fromBuffer(bytes, resolver)).toThrow('"reservation-7" is not a valid uuid');
    const good = value(randomUUID());
    expect(validated.fromBuffer(unvalidated.toBuffer(good), resolver)).toEqual(good);
  });

  it('names the offending fields through an error hook', () => {
    const paths: string[] = [];
    validated.isValid(value('order-1', 'reservation-7'), {
      errorHook: (path, _value, type) => {
        if (isContractLogicalType(type)) paths.push(path.join('.'));
      },
    });
    expect(paths).toEqual(['orderId', 'lines.0.reservationId']);
  });

  it('passes a uuid on fixed(16) through: any 16 bytes are one', () => {
    const fixed = Type.forSchema(
      { type: 'fixed', name: 'Id', size: 16, logicalType: 'uuid' } as unknown as Schema,
      { logicalTypes: CONTRACT_LOGICAL_TYPES },
    );
    expect(fixed).toBeInstanceOf(UuidLogicalType);
    const id = Buffer.alloc(16, 7);
    expect(fixed.fromBuffer(fixed.toBuffer(id))).toEqual(id);
  });
});
