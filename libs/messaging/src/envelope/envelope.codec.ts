/**
 * Events to Kafka records and back: CloudEvents 1.0 in the Kafka protocol binding's binary mode. Every
 * attribute is a `ce_*` header, the datacontenttype is the `content-type` header, the record key is the
 * aggregate id (also `ce_subject`) and the value is the Avro payload in the Confluent wire format. Trace and
 * correlation context ride in `traceparent`, `correlation-id` and `causation-id`.
 *
 * Why a small hand mapping instead of the `cloudevents` SDK (v10): its Kafka binding is built around JSON
 * data. Giving a `CloudEvent` a Buffer makes it base64-encode the payload into `data_base64` on every event;
 * its decoder only parses JSON content types and otherwise passes the value through; it wants string
 * headers and its own message shape (so we would convert both ways per record); it accepts extension
 * attributes only as lowercase alphanumerics, while our trace and correlation headers are not `ce_`
 * extensions at all; it rewrites `time` through `Date`; and it brings ajv, ajv-formats, json-bigint, a
 * second uuid and browser polyfills (`process`, `util`). The binary-mode rules we need are a dozen header
 * names and the few attribute constraints checked below, which is less code than the adaptation would be.
 */
import { v7 as uuidv7 } from 'uuid';
import { HEADERS, type Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import { DecodeError, MessagingError, SchemaError } from '../errors/messaging.error';
import type { PayloadCodec } from '../codec/payload-codec';
import type { ConsumedRecord, Headers, OutgoingRecord } from '../ports/kafka-client.port';
import { InvalidEnvelopeError } from './envelope.error';
import type { EventRegistry } from './event-registry';

/** The `content-type` (CloudEvents `datacontenttype`) of every payload this codec writes and reads. */
export const AVRO_CONTENT_TYPE = 'application/avro';
export const SPEC_VERSION = '1.0';

/** The trace and correlation context an event is caused by: any envelope, or just those attributes. */
export type Cause = Pick<Envelope, 'id' | 'correlationId'> & Partial<Pick<Envelope, 'traceparent'>>;

export interface EncodeOptions {
  /** `ce_source`: the producing service, e.g. `/orderstream/orders`. */
  source: string;
  /**
   * The event being handled when this one is produced. The new event joins its flow: `correlationId` =
   * the cause's correlation id, `causationId` = the cause's id, `traceparent` = the cause's traceparent.
   * Without a cause, the event starts a flow: its correlation id is its own id.
   */
  causedBy?: Cause;
  /** Overrides the correlation id (from `causedBy` or the default); e.g. an HTTP request's correlation id. */
  correlationId?: string;
  /** Overrides the traceparent (from `causedBy`); pass the current span's when tracing is on. */
  traceparent?: string;
  /** `ce_id`; a fresh UUIDv7 by default. Pass one only to keep an id stable across retries (outbox). */
  id?: string;
  /** `ce_time`; now by default. */
  time?: Date;
}

// W3C Trace Context, version 00 layout: version-traceid-parentid-flags, lowercase hex, ids not all zero.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
// RFC 3339 date-time (what CloudEvents requires for `time`).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** True for a traceparent a tracer would accept (W3C Trace Context). */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (!match) return false;
  const [, version, traceId, parentId] = match;
  if (version === 'ff') return false;
  // Version 00 has exactly four fields; later versions may append more.
  if (version === '00' && match[5] !== undefined) return false;
  return !/^0+$/.test(traceId ?? '') && !/^0+$/.test(parentId ?? '');
}

function nonEmpty(value: string | undefined, what: string): string {
  if (value === undefined || value.length === 0) throw new InvalidEnvelopeError(`${what} must not be empty`);
  return value;
}

function where(record: ConsumedRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}

// Decoding runs once per consumed record: the header readers are plain functions, not closures made per call.
function header(record: ConsumedRecord, name: string): string | undefined {
  const value = record.headers[name];
  return value === undefined ? undefined : value.toString('utf8');
}

/** A header that must be present and not empty; `repeated` serves values that recur across records. */
function required(record: ConsumedRecord, name: string, repeated?: RepeatedText): string {
  const bytes = record.headers[name];
  const value = bytes === undefined ? undefined : repeated ? repeated.read(bytes) : bytes.toString('utf8');
  if (value === undefined || value.length === 0) {
    throw new DecodeError(`Record ${where(record)} has no ${name} header`);
  }
  return value;
}

/**
 * The text of one header whose value mostly repeats from record to record: the records of a topic share
 * their `ce_specversion` and `content-type`, and mostly their `ce_type` and `ce_source`. Comparing a few
 * bytes with the last value seen is several times cheaper than decoding a new string for every record,
 * which was a measurable part of the consumer's per-record cost (docs/benchmarks.md). One slot: a
 * different value is simply decoded and becomes the new last one.
 */
class RepeatedText {
  private bytes: Buffer | undefined;
  private text = '';

  read(value: Buffer): string {
    if (this.bytes === undefined || !sameBytes(value, this.bytes)) {
      this.text = value.toString('utf8');
      // A copy: the value is usually a slice of a whole fetch response, which must not stay reachable.
      this.bytes = Buffer.from(value);
    }
    return this.text;
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  // Header values are short: a loop beats the native call of `Buffer#equals` up to a few dozen bytes.
  if (a.length > 64) return a.equals(b);
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a `content-type` names Avro; media type parameters (`; charset=…`) do not change how Avro is read. */
function isAvro(contentType: string): boolean {
  return (
    contentType === AVRO_CONTENT_TYPE || contentType.split(';')[0]?.trim().toLowerCase() === AVRO_CONTENT_TYPE
  );
}

/**
 * Turns events into records and records into typed envelopes. Stateless apart from the payload codec's
 * caches and the last text of the headers that repeat across records.
 */
export class EnvelopeCodec {
  private readonly repeated = {
    specversion: new RepeatedText(),
    type: new RepeatedText(),
    source: new RepeatedText(),
    contentType: new RepeatedText(),
  };

  constructor(private readonly payloads: PayloadCodec) {}

  /**
   * Builds the envelope of a new event (pure: no I/O). Separate from `toRecord` so an outbox can store an
   * envelope whose id and time were fixed when the business transaction ran.
   */
  create<T>(definition: EventDefinition<T>, data: T, options: EncodeOptions): Envelope<T> {
    const id = options.id ?? uuidv7();
    nonEmpty(id, 'ce_id');
    nonEmpty(definition.type, `ce_type of the definition for topic ${definition.topic}`);
    const subject = definition.key(data);
    nonEmpty(subject, `The key (ce_subject) of ${definition.type}`);
    nonEmpty(options.source, `ce_source of ${definition.type}`);
    const time = options.time ?? new Date();
    if (Number.isNaN(time.getTime()))
      throw new InvalidEnvelopeError(`ce_time of ${definition.type} is an invalid date`);

    const traceparent = options.traceparent ?? options.causedBy?.traceparent;
    if (traceparent !== undefined && !isValidTraceparent(traceparent)) {
      throw new InvalidEnvelopeError(
        `traceparent of ${definition.type} is not W3C trace context: ${traceparent}`,
      );
    }
    const correlationId = options.correlationId ?? options.causedBy?.correlationId ?? id;
    nonEmpty(correlationId, `correlation-id of ${definition.type}`);

    const envelope: Envelope<T> = {
      id,
      type: definition.type,
      source: options.source,
      subject,
      time: time.toISOString(),
      specversion: SPEC_VERSION,
      correlationId,
      data,
    };
    if (!definition.tombstone) envelope.datacontenttype = AVRO_CONTENT_TYPE;
    if (traceparent !== undefined) envelope.traceparent = traceparent;
    if (options.causedBy) envelope.causationId = options.causedBy.id;
    return envelope;
  }

  /** The Kafka record for an envelope: binary-mode headers, key = subject, value = Avro. */
  async toRecord<T>(definition: EventDefinition<T>, envelope: Envelope<T>): Promise<OutgoingRecord> {
    const headers: Headers = {
      [HEADERS.id]: envelope.id,
      [HEADERS.type]: envelope.type,
      [HEADERS.source]: envelope.source,
      [HEADERS.subject]: envelope.subject,
      [HEADERS.time]: envelope.time,
      [HEADERS.specversion]: envelope.specversion,
      [HEADERS.correlationId]: envelope.correlationId,
    };
    if (envelope.traceparent !== undefined) headers[HEADERS.traceparent] = envelope.traceparent;
    if (envelope.causationId !== undefined) headers[HEADERS.causationId] = envelope.causationId;
    // A tombstone is its key and headers: nothing to encode, so nothing to register either.
    if (definition.tombstone) return { key: envelope.subject, value: null, headers };
    headers[HEADERS.contentType] = envelope.datacontenttype ?? AVRO_CONTENT_TYPE;
    return {
      key: envelope.subject,
      value: await this.payloads.encode(definition.schema, envelope.data),
      headers,
    };
  }

  /** `create` then `toRecord`. Schema problems surface as `SchemaError`, envelope problems as `InvalidEnvelopeError`. */
  async encode<T>(definition: EventDefinition<T>, data: T, options: EncodeOptions): Promise<OutgoingRecord> {
    return this.toRecord(definition, this.create(definition, data, options));
  }

  /**
   * Reads a record back into an envelope. The schema is the one registered for the record's `ce_type` in
   * `definitions` (the reader schema), so a consumer decodes every compatible version into the shape it
   * was built against. Anything wrong with the record is a `DecodeError` (never retriable) naming the
   * record and the problem, or a `SchemaError` (never retriable either) for a payload that is valid Avro
   * but breaks a logical type its contract declares (an orderId that is not a UUID); only an unreachable
   * registry is a (retriable) `TransportError`.
   */
  async decode(record: ConsumedRecord, definitions: EventRegistry): Promise<Envelope> {
    const specversion = required(record, HEADERS.specversion, this.repeated.specversion);
    if (specversion !== SPEC_VERSION) {
      throw new DecodeError(
        `Record ${where(record)} has ${HEADERS.specversion} ${specversion}, expected ${SPEC_VERSION}`,
      );
    }
    const id = required(record, HEADERS.id);
    const type = required(record, HEADERS.type, this.repeated.type);
    const source = required(record, HEADERS.source, this.repeated.source);
    const subject = required(record, HEADERS.subject);
    const time = required(record, HEADERS.time);
    if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
      throw new DecodeError(
        `Record ${where(record)} has ${HEADERS.time} '${time}', which is not an RFC 3339 timestamp`,
      );
    }
    const definition = definitions.get(type);
    if (!definition) {
      const known = definitions.types();
      throw new DecodeError(
        `Record ${where(record)} has unknown ${HEADERS.type} '${type}' (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
      );
    }
    if (definition.tombstone) {
      return this.envelopeOf(record, { id, type, source, subject, time }, tombstoneData(record, definition));
    }
    const contentType = required(record, HEADERS.contentType, this.repeated.contentType);
    if (!isAvro(contentType)) {
      throw new DecodeError(
        `Record ${where(record)} has ${HEADERS.contentType} '${contentType}', expected ${AVRO_CONTENT_TYPE}`,
      );
    }

    let data: unknown;
    try {
      data = await this.payloads.decode(record.value, definition.schema);
    } catch (error) {
      // A DecodeError names the bytes' problem but not the record; a TransportError stays retriable.
      if (error instanceof DecodeError) {
        throw new DecodeError(`Record ${where(record)} (${type}): ${error.message}`, { cause: error });
      }
      if (error instanceof SchemaError) {
        throw new SchemaError(`Record ${where(record)} (${type}): ${error.message}`, { cause: error });
      }
      if (error instanceof MessagingError) throw error;
      throw new DecodeError(`Record ${where(record)} (${type}): ${(error as Error).message}`, {
        cause: error,
      });
    }

    return this.envelopeOf(record, { id, type, source, subject, time, datacontenttype: contentType }, data);
  }

  private envelopeOf(
    record: ConsumedRecord,
    attributes: Pick<Envelope, 'id' | 'type' | 'source' | 'subject' | 'time' | 'datacontenttype'>,
    data: unknown,
  ): Envelope {
    const envelope: Envelope = {
      ...attributes,
      specversion: SPEC_VERSION,
      // A producer outside this library may send no correlation id: the event then starts its own flow.
      correlationId: header(record, HEADERS.correlationId) || attributes.id,
      data,
    };
    const traceparent = header(record, HEADERS.traceparent);
    // W3C Trace Context: a malformed traceparent is ignored (a new trace starts), not an error.
    if (traceparent !== undefined && isValidTraceparent(traceparent)) envelope.traceparent = traceparent;
    const causationId = header(record, HEADERS.causationId);
    if (causationId) envelope.causationId = causationId;
    return envelope;
  }
}

/**
 * The data of a tombstone, rebuilt from its record: the key in the schema's one field. A tombstone type
 * whose record carries a value is not a tombstone a compacted topic would honour: refused like any
 * unreadable record.
 */
function tombstoneData(record: ConsumedRecord, definition: EventDefinition<unknown>): Record<string, string> {
  const { fields } = definition.schema;
  const field = fields.length === 1 ? (fields[0] as { name?: unknown }).name : undefined;
  if (typeof field !== 'string') {
    throw new DecodeError(
      `${definition.type} is declared a tombstone but its schema has ${definition.schema.fields.length} fields, not one (the key)`,
    );
  }
  if (record.value !== null) {
    throw new DecodeError(`Record ${where(record)} is a ${definition.type} tombstone but has a value`);
  }
  if (record.key === null || record.key.length === 0) {
    throw new DecodeError(`Record ${where(record)} is a ${definition.type} tombstone without a key`);
  }
  return { [field]: record.key.toString('utf8') };
}
