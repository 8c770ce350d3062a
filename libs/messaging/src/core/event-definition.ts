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
}

/** The TypeScript type an event definition carries. */
export type EventData<D> = D extends EventDefinition<infer T> ? T : never;
