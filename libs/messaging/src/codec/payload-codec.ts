import type { AvroRecordSchema } from './avro-codec';

/**
 * What the envelope layer needs from a payload codec. `AvroCodec` is the real one (Confluent wire format
 * through a schema registry); the interface exists so the envelope's own logic can be unit-tested without a
 * registry, and so a codec with a different registry client can be dropped in.
 */
export interface PayloadCodec {
  /** Registers the schema (once; later calls are served from a cache) and returns its registry id. */
  register(schema: AvroRecordSchema): Promise<number>;
  /** Encodes `value` with `schema` as the writer schema. A value that does not fit raises `SchemaError`. */
  encode(schema: AvroRecordSchema, value: unknown): Promise<Buffer>;
  /**
   * Decodes bytes written with whatever schema their id names, resolved into `readerSchema` when given
   * (Avro schema resolution: so a consumer built against v1 reads v2 bytes and the other way round).
   * Bad bytes, an unknown id or a writer schema the reader cannot resolve raise `DecodeError`.
   */
  decode<T>(bytes: Buffer | null, readerSchema?: AvroRecordSchema): Promise<T>;
}
