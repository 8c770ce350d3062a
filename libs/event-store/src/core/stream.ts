/**
 * The vocabulary of the event store. A stream is the ordered history of one aggregate (a customer's
 * account), named by its stream id; each event in it has a version, 1 for the first, so a stream's
 * version is the number of events in it and a stream that does not exist has version 0. Across all
 * streams every event also has a global position, in the order the events were appended.
 */

/** An event as the application creates it: its type and its data. The data must survive JSON. */
export interface EventData<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** What travels with an event besides its data: who caused it and why. */
export interface EventMetadata {
  /** The message (a Kafka `ce_id`, an HTTP request id) whose handling appended the event, if any. */
  causationId?: string;
  /** The business flow the event belongs to (an order's saga). */
  correlationId?: string;
  [key: string]: unknown;
}

/** An event as the store holds it. */
export interface RecordedEvent<E extends EventData = EventData> {
  /** A UUID the store assigns; unique across the store, the id an outbox row of this event should carry. */
  eventId: string;
  streamId: string;
  /** 1 for the first event of the stream. */
  version: number;
  /** Order of appending across all streams (a bigint, as a string). */
  position: string;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
  recordedAt: Date;
}

/**
 * What the appender expects the stream to be, checked in the appending transaction:
 * - a number: the stream's current version exactly (0: the stream must not exist);
 * - `'no-stream'`: the stream must not exist (the same as 0, said in words);
 * - `'any'`: no check; the events go after whatever is there.
 */
export type ExpectedVersion = number | 'no-stream' | 'any';

/** The outcome of an append. */
export interface AppendResult<E extends EventData = EventData> {
  /** The stream's version after the append: the version to expect next time. */
  version: number;
  events: RecordedEvent<E>[];
}

/** Where to read a stream from and up to where. */
export interface ReadStreamOptions {
  /** First version to return (1 by default). */
  fromVersion?: number;
  /** Last version to return (inclusive). */
  toVersion?: number;
  /** Only events recorded at or before this instant: the stream as it was then. */
  asOf?: Date;
}

/** The expected version as a number, or undefined for `'any'`. */
export function expectedVersionNumber(expected: ExpectedVersion): number | undefined {
  if (expected === 'any') return undefined;
  if (expected === 'no-stream') return 0;
  if (!Number.isInteger(expected) || expected < 0) {
    throw new RangeError(
      `An expected version is a whole number from 0, 'no-stream' or 'any'; got ${expected}`,
    );
  }
  return expected;
}
