/**
 * The shape of an event contract: its CloudEvents type, its topic, its Avro record schema and its key.
 *
 * These types are deliberately local. Contracts import nothing of ours and no framework (enforced by lint),
 * so they cannot name `EventDefinition` from @orderstream/messaging; they do not need to either, because
 * TypeScript typing is structural: an `EventContract<T>` is accepted wherever the messaging library asks for
 * an `EventDefinition<T>`. Keep the two shapes in step: a field added there must be added here.
 */
import type { Topic } from './topics';

/** One field of an Avro record. `type` is any Avro schema (a name, a union array, a nested record, ...). */
export interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly doc?: string;
  /** Required on every field added after a release, so readers of the new schema can read old data. */
  readonly default?: unknown;
}

/**
 * An Avro string that holds a UUID in its text form (8-4-4-4-12 hex digits). The logical type is part of
 * the contract: the messaging codec refuses to encode any other string into such a field, and a consumer
 * rejects one at decode (dead-lettered on its first attempt), so a bad id never reaches a database.
 * Adding it to a released `string` field is BACKWARD compatible (the registry reads logical types as
 * annotations of their underlying type).
 */
export const UUID_STRING = { type: 'string', logicalType: 'uuid' } as const;

/** An Avro record schema as plain data, registered under its full name (`namespace.name`). */
export interface RecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

/** Everything a producer or consumer needs to know about one event type. */
export interface EventContract<T> {
  /** The CloudEvents type (`ce_type`), `orderstream.<context>.<RecordName>`. */
  readonly type: string;
  /** The topic of the bounded context that owns the event. */
  readonly topic: Topic;
  readonly schema: RecordSchema;
  /**
   * The Kafka key and `ce_subject`: the order id for every saga event, so all events of one order stay in
   * order on their topic. A method (not a function property) so that a contract of a specific payload type
   * is assignable to `EventContract<unknown>` in collections such as `allEvents`.
   */
  key(data: T): string;
  /**
   * A tombstone: published as a null value, which a compacted topic reads as "forget this key". Its schema
   * is one string field, the key, from which a consumer rebuilds the data; nothing is encoded or registered.
   */
  readonly tombstone?: boolean;
}

/** The payload type an event contract carries. */
export type ContractData<C> = C extends EventContract<infer T> ? T : never;

/** The full record name, which is also the schema registry subject (record-name strategy). */
export function fullNameOf(schema: RecordSchema): string {
  return schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name;
}
