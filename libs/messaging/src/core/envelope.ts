/**
 * The envelope every event travels in: CloudEvents 1.0 attributes, carried in Kafka binary mode (each
 * attribute a `ce_*` header, the Avro payload as the record value), plus trace and correlation context.
 */
export interface Envelope<T = unknown> {
  /** `ce_id`: a UUIDv7, unique per event; the inbox deduplicates on it. */
  id: string;
  /** `ce_type`, e.g. `orderstream.orders.OrderPlaced`. */
  type: string;
  /** `ce_source`: the producing service, e.g. `/orderstream/orders`. */
  source: string;
  /** `ce_subject`: the aggregate id, which is also the Kafka key. */
  subject: string;
  /** `ce_time`: RFC 3339. */
  time: string;
  specversion: '1.0';
  /** `content-type` header, `application/avro`; absent on a tombstone, which has no data. */
  datacontenttype?: string;
  /** W3C trace context of the operation that produced the event, if any. */
  traceparent?: string;
  /** `correlation-id`: shared by every message of one business flow (an order's saga). */
  correlationId: string;
  /** `causation-id`: the `ce_id` of the message whose handling produced this one. */
  causationId?: string;
  data: T;
}

/** The header names of the envelope on the wire (Kafka protocol binding, binary mode). */
export const HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  specversion: 'ce_specversion',
  contentType: 'content-type',
  traceparent: 'traceparent',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
} as const;
