/**
 * The transactional outbox, writing side. A service never publishes to Kafka from business code: it adds
 * the event to the outbox in the same local transaction as its state change, and the relay publishes the
 * committed rows. Either both the change and the event exist, or neither does.
 *
 * The payload is encoded at WRITE time, not at publish time:
 * - the row is exactly the Kafka record (topic, key, headers, value), so the relay is a schema-agnostic
 *   pipe that cannot fail on a bad payload or a missing schema, and knows no event type;
 * - a payload that does not fit its schema fails inside the business transaction, where the caller can
 *   still react (the request is rejected and nothing is committed), instead of poisoning the outbox later;
 * - the schema id and the envelope (ce_id, ce_time, correlation and causation ids) are fixed when the
 *   event happens, not when it happens to be relayed.
 * The cost: the first event of each schema does a registry round trip inside the transaction (later ones
 * hit the codec's cache; register the schemas at boot to avoid even that), and a row written under an old
 * schema is published with that schema's id, which is what consumers expect under BACKWARD compatibility.
 *
 * Trace context: the row's `traceparent` header is the span active when the event is added (the HTTP
 * request's, the handler's), so the relay's send span continues it. Work outside any span (a timer, a
 * job) gets a `create <topic>` span of its own, a child of the cause's traceparent if there is one or else
 * a new trace, so every row carries a trace. An explicit `traceparent` option wins over both.
 *
 * Only TypeORM's EntityManager is supported as the transaction handle for now.
 */
import type { Span } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import { HEADERS } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import type { EncodeOptions } from '../envelope/envelope.codec';
import type { OutgoingRecord } from '../ports/kafka-client.port';
import { resolveTableNames, bareTableName, quoteTableName } from './messaging-tables';
import { toStoredHeaders } from './outbox-headers';
import { OutboxError } from './postgres.errors';
import {
  activeTraceparent,
  contextOfTraceparent,
  formatTraceparent,
  recordFailure,
  startMessagingSpan,
} from '../tracing/trace-context';

/**
 * Turns an event into the Kafka record that carries it (CloudEvents headers + encoded payload).
 * `EnvelopeCodec` implements it; the outbox depends only on this shape.
 */
export interface RecordEncoder {
  encode<T>(definition: EventDefinition<T>, data: T, options: EncodeOptions): Promise<OutgoingRecord>;
}

/**
 * One event to queue. `causedBy` (the envelope being handled), `correlationId`, `id` and `time` are passed
 * to the encoder as they are; `ce_source` is the writer's. `traceparent`, when given, is stored as it is;
 * by default it is the active span's (see the module comment).
 */
export interface OutboxEvent<T> extends Omit<EncodeOptions, 'source'> {
  definition: EventDefinition<T>;
  data: T;
  /** What kind of aggregate emitted the event, e.g. `Order`; the aggregate id is `definition.key(data)`. */
  aggregateType: string;
  /**
   * Above 1: the same message sent again (a saga command after its timeout, with the `id` it was first sent
   * with). The record keeps that `ce_id`, so the receiver's inbox still takes it at most once; the row's
   * `message_id`, unique in the outbox, is told apart as `<ce_id>#<attempt>`. Default 1.
   */
  attempt?: number;
}

/** What was queued. */
export interface OutboxEntry {
  /** The row's position in the outbox (a bigint, as a string). */
  sequence: string;
  /** The event's `ce_id`. */
  messageId: string;
  topic: string;
  key: string;
}

export interface OutboxWriterOptions {
  /** The envelope codec (or anything with its `encode`). */
  encoder: RecordEncoder;
  /** `ce_source` of every event this writer queues: the producing service, e.g. `/orderstream/orders`. */
  source: string;
  /** Default `messaging_outbox`; may be schema-qualified. Must match the migration's table. */
  table?: string;
  /**
   * Channel to NOTIFY when a row is added, so a relay that LISTENs wakes up at once instead of at its next
   * poll. PostgreSQL delivers it on commit only and folds repeats within one transaction into one.
   * Default: the outbox table's name. `false` turns it off.
   */
  notifyChannel?: string | false;
}

function headerText(value: string | Buffer | undefined): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : value.toString('utf8');
}

export class OutboxWriter {
  private readonly encoder: RecordEncoder;
  private readonly source: string;
  private readonly insertSql: string;
  private readonly notifyChannel: string | false;

  constructor(options: OutboxWriterOptions) {
    this.encoder = options.encoder;
    this.source = options.source;
    const table = resolveTableNames(options.table ? { outbox: options.table } : {}).outbox;
    this.notifyChannel = options.notifyChannel === undefined ? bareTableName(table) : options.notifyChannel;
    const insert = `
      INSERT INTO ${quoteTableName(table)}
        (message_id, event_type, topic, key, headers, payload, aggregate_type, aggregate_id)
      VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
      RETURNING sequence`;
    // One round trip: the notification rides along with the insert.
    this.insertSql = this.notifyChannel
      ? `WITH queued AS (${insert}) SELECT sequence::text AS sequence, pg_notify($9, '') FROM queued`
      : `${insert}::text AS sequence`;
  }

  /**
   * Queues an event in the caller's transaction. `manager` must be the transactional EntityManager
   * (`dataSource.transaction(manager => ...)`, or `entityManagerOf(context)` in an effectively-once
   * handler): an outbox row written outside a transaction would be exactly the dual write it exists to avoid.
   */
  async add<T>(manager: EntityManager, event: OutboxEvent<T>): Promise<OutboxEntry> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new OutboxError(
        'OutboxWriter.add needs the EntityManager of an open transaction (dataSource.transaction(manager => ...))',
      );
    }
    const { definition, data, aggregateType, attempt = 1, ...encodeOptions } = event;
    let span: Span | undefined;
    let traceparent = encodeOptions.traceparent ?? activeTraceparent();
    if (traceparent === undefined) {
      span = startMessagingSpan({
        operation: 'create',
        destination: definition.topic,
        parent: contextOfTraceparent(encodeOptions.causedBy?.traceparent),
      });
      traceparent = formatTraceparent(span.spanContext());
    }
    try {
      return await this.insert(manager, definition, data, aggregateType, attempt, {
        ...encodeOptions,
        ...(traceparent === undefined ? {} : { traceparent }),
      });
    } catch (error) {
      if (span) recordFailure(span, error);
      throw error;
    } finally {
      span?.end();
    }
  }

  private async insert<T>(
    manager: EntityManager,
    definition: EventDefinition<T>,
    data: T,
    aggregateType: string,
    attempt: number,
    encodeOptions: Omit<EncodeOptions, 'source'>,
  ): Promise<OutboxEntry> {
    const record = await this.encoder.encode(definition, data, { ...encodeOptions, source: this.source });
    const messageId = headerText(record.headers?.[HEADERS.id]);
    if (!messageId) {
      throw new OutboxError(`The encoded ${definition.type} record has no ${HEADERS.id} header`);
    }
    if (record.key === null) {
      throw new OutboxError(
        `The encoded ${definition.type} record has no key; events are keyed by aggregate id`,
      );
    }
    const key = typeof record.key === 'string' ? record.key : record.key.toString('utf8');
    const parameters: unknown[] = [
      attempt > 1 ? `${messageId}#${attempt}` : messageId,
      definition.type,
      definition.topic,
      key,
      JSON.stringify(toStoredHeaders(record.headers)),
      record.value,
      aggregateType,
      definition.key(data),
    ];
    if (this.notifyChannel) parameters.push(this.notifyChannel);
    const rows = (await manager.query(this.insertSql, parameters)) as { sequence: string }[];
    const sequence = rows[0]?.sequence;
    if (sequence === undefined) throw new OutboxError('The outbox insert returned no sequence');
    return { sequence, messageId, topic: definition.topic, key };
  }
}
