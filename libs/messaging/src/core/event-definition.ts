import type { AvroRecordSchema } from '../codec/avro-codec';

/**
 * Everything the library needs to know about one event type. Definitions live in libs/contracts and are
 * passed in at the call site; the library itself knows no event.
 */
export interface EventDefinition<T> {
  /** The CloudEvents type (`ce_type`); also how a consumer picks the schema to decode with. */
  type: string;
  /** The topic of the bounded context that owns the event. */
  topic: string;
  /** The Avro record schema; registered under its full record name (record-name strategy). */
  schema: AvroRecordSchema;
  /** The aggregate id: the Kafka key and `ce_subject`, so all events of one aggregate stay in order. */
  key(data: T): string;
  /**
   * A tombstone: the event is a record with a null value, which a compacted topic reads as "forget this
   * key" (the cleaner drops every record of the key, the tombstone itself after `delete.retention.ms`).
   * Its schema is a record of exactly one string field, the key: nothing is encoded or registered, and a
   * consumer rebuilds the data from the record key (`{ sku: 'SKU-1' }`). The CloudEvents headers travel
   * as for any event, without `content-type` (an event with no data has no `datacontenttype`).
   */
  tombstone?: boolean;
}

/** The TypeScript type an event definition carries. */
export type EventData<D> = D extends EventDefinition<infer T> ? T : never;
