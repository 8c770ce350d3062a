/**
 * Contract-level validation: the logical types a contract declares are checked, not just carried. avsc
 * ignores a logical type it has no implementation for, so `{"type": "string", "logicalType": "uuid"}`
 * accepted any string: a valid-Avro OrderPlaced whose orderId was not a UUID was stored and republished by
 * payments, and orders then failed on it with SQLSTATE 22P02, retry after retry.
 *
 * Each type here keeps the JavaScript value exactly as the underlying Avro type gives it (a uuid stays a
 * string) and only refuses what the logical type rules out, on both sides: encoding such a value fails
 * (so a publisher or the outbox never produces one) and decoding it fails (so a consumer rejects one that
 * another producer wrote, at decode, as a non-retriable `SchemaError`, on the first attempt). Logical types
 * not listed here (timestamp-millis, …) stay plain values, as before.
 */
import { Type, types, type Schema } from 'avsc';

/** A value breaks the logical type its schema declares. Internal: the codec turns it into a `SchemaError`. */
export class LogicalTypeViolation extends Error {
  constructor(
    readonly logicalType: string,
    readonly value: unknown,
  ) {
    super(`${JSON.stringify(value) ?? String(value)} is not a valid ${logicalType}`);
    this.name = 'LogicalTypeViolation';
  }
}

// RFC 4122 / 9562 text form: 8-4-4-4-12 hexadecimal digits, either case. Any version (and the nil UUID):
// the contract promises a UUID, not a particular way of making one.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `{"type": "string", "logicalType": "uuid"}`: a string in the UUID text form. A uuid on `fixed` (16 bytes,
 * which the Avro spec also allows) is any 16 bytes, so there is nothing to check there and it passes.
 */
export class UuidLogicalType extends types.LogicalType {
  private readonly text = Type.isType(this.underlyingType, 'string');

  protected override _fromValue(value: unknown): unknown {
    if (this.text && (typeof value !== 'string' || !UUID.test(value))) {
      throw new LogicalTypeViolation('uuid', value);
    }
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return this._fromValue(value);
  }

  /** Readable from any writer this field's underlying type reads (e.g. the field before it declared uuid). */
  protected override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
    const writer = Type.isType(type, 'logical') ? (type as types.LogicalType).underlyingType : type;
    if (writer.typeName === this.underlyingType.typeName) return (value) => this._fromValue(value);
    return undefined;
  }
}

/** The logical types the codec validates, by name; pass as avsc's `logicalTypes` option. */
export const CONTRACT_LOGICAL_TYPES: Readonly<
  Record<string, new (schema: Schema, opts?: unknown) => types.LogicalType>
> = {
  uuid: UuidLogicalType,
};

/** Whether an avsc type is one of the validated logical types (to name the fields that broke one). */
export function isContractLogicalType(type: unknown): boolean {
  return Object.values(CONTRACT_LOGICAL_TYPES).some((LogicalType) => type instanceof LogicalType);
}
