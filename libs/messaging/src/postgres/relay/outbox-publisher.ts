/**
 * One batch of the relay: read the oldest unpublished outbox rows, send them to Kafka, mark them published.
 *
 * Gap-free by construction: it selects `published_at IS NULL ORDER BY sequence`, never "sequence > the
 * last one published". Sequences are assigned at insert, not at commit, so a transaction holding sequence
 * n can commit after n+1 was already published; with a high-water mark that row would be skipped forever,
 * here it is simply the oldest unpublished row of the next batch. The price: a row is visible only once
 * committed, so an event can be published after a later-numbered one of ANOTHER aggregate (never of the
 * same aggregate, if the service serialises writes per aggregate; see docs/outbox-relay.md).
 *
 * Tracing: each row gets a `send <topic>` span (kind producer), a child of the context stored in the row's
 * `traceparent` header (the request's or handler's span that wrote it), ended when Kafka acknowledges the
 * topic; the record goes out with the send span's context, so the consumer's span is the send span's
 * child and one order's work forms one parent chain (a child, not a link: the row's context is the cause
 * of this send, and a trace viewer shows a chain, while links are easy to lose).
 *
 * At-least-once: a crash (or a lost connection) between Kafka's acknowledgement and the UPDATE publishes
 * the rows again, with the same `ce_id`, which consumers' inboxes absorb.
 */
import type { Span } from '@opentelemetry/api';
import { HEADERS } from '../../core/envelope';
import type { OutgoingRecord, ProducerPort } from '../../ports/kafka-client.port';
import { PublishError } from '../../publisher/publish.error';
import { quoteTableName, resolveTableNames } from '../messaging-tables';
import { fromStoredHeaders, type StoredHeaders } from '../outbox-headers';
import {
  contextOfHeaders,
  formatTraceparent,
  headerText,
  MESSAGING_ATTRIBUTES,
  recordFailure,
  startMessagingSpan,
} from '../../tracing/trace-context';

/** The part of a `pg` client or pool the publisher needs. */
export interface SqlClient {
  query<R extends object>(sql: string, parameters?: unknown[]): Promise<{ rows: R[] }>;
}

/** An outbox row as the relay reads it (the columns a Kafka record needs, plus its position). */
export interface OutboxRow {
  /** bigint, as text: JavaScript numbers lose precision past 2^53. */
  sequence: string;
  topic: string;
  key: string;
  headers: StoredHeaders;
  payload: Buffer | null;
}

/** The Kafka records of one topic, in outbox order, and the rows they came from. */
export interface TopicBatch {
  topic: string;
  sequences: string[];
  records: OutgoingRecord[];
}

export function toOutgoingRecord(row: OutboxRow): OutgoingRecord {
  return { key: row.key, value: row.payload, headers: fromStoredHeaders(row.headers) };
}

/**
 * Splits rows (in sequence order) into one batch per topic, keeping their order within each topic and the
 * topics in the order they first appear. Order across topics carries no meaning (an aggregate's events go
 * to one topic, the one of its bounded context), so each topic becomes one produce request.
 */
export function groupByTopic(rows: readonly OutboxRow[]): TopicBatch[] {
  const batches = new Map<string, TopicBatch>();
  for (const row of rows) {
    let batch = batches.get(row.topic);
    if (!batch) {
      batch = { topic: row.topic, sequences: [], records: [] };
      batches.set(row.topic, batch);
    }
    batch.sequences.push(row.sequence);
    batch.records.push(toOutgoingRecord(row));
  }
  return [...batches.values()];
}

/**
 * Opens the record's send span under the context its row stored and puts the span's context in the
 * record's `traceparent` header. Without an SDK the span is the row's context itself and the header stays.
 */
function startSendSpan(topic: string, record: OutgoingRecord): Span {
  const headers = (record.headers ??= {});
  const span = startMessagingSpan({
    operation: 'send',
    destination: topic,
    parent: contextOfHeaders(headers),
    attributes: {
      ...(record.key === null ? {} : { [MESSAGING_ATTRIBUTES.key]: headerText(record.key) }),
      ...(headers[HEADERS.id] === undefined
        ? {}
        : { [MESSAGING_ATTRIBUTES.messageId]: headerText(headers[HEADERS.id]) }),
    },
  });
  const traceparent = formatTraceparent(span.spanContext());
  if (traceparent !== undefined) headers[HEADERS.traceparent] = traceparent;
  return span;
}

export interface PublishedBatch {
  /** Rows read (= sent and marked, unless `failure` is set). */
  size: number;
  /** True when the batch was full: more rows are probably waiting, so the caller reads again at once. */
  full: boolean;
  /** Per topic, how many rows were published. */
  topics: { topic: string; count: number }[];
  /** Per published row, seconds from `created_at` to `published_at`, both on the database's clock. */
  latenciesSeconds: number[];
  /**
   * Set when Kafka did not acknowledge some topics: their rows stay unpublished and lead the next batch.
   * The rows of the other topics were published and marked (and are counted above).
   */
  failure?: PublishError;
}

export interface OutboxPublisherOptions {
  producer: ProducerPort;
  /** Default `messaging_outbox`; may be schema-qualified. Must be the table the service's writer uses. */
  table?: string;
  /** Rows per batch. */
  batchSize: number;
}

/** Rows sent to Kafka, waiting to be marked; what failed stays unpublished. */
export interface SentBatch {
  rows: number;
  full: boolean;
  sent: TopicBatch[];
  failure?: PublishError;
}

export class OutboxPublisher {
  private readonly selectSql: string;
  private readonly selectAfterSql: string;
  private readonly markSql: string;
  readonly batchSize: number;

  constructor(private readonly options: OutboxPublisherOptions) {
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize <= 0) {
      throw new RangeError(`OutboxPublisher batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.batchSize = options.batchSize;
    const table = quoteTableName(resolveTableNames(options.table ? { outbox: options.table } : {}).outbox);
    // Served by the partial index on (sequence) WHERE published_at IS NULL: the work queue stays small
    // however many published rows the retention period keeps.
    // ORDER BY names the table's column on purpose: a bare `sequence` would sort by the text output column
    // of the same name, putting 10 before 9.
    const select = (after: string) => `
      SELECT outbox.sequence::text AS sequence, outbox.topic, outbox.key, outbox.headers, outbox.payload
      FROM ${table} AS outbox
      WHERE outbox.published_at IS NULL${after}
      ORDER BY outbox.sequence
      LIMIT $1`;
    this.selectSql = select('');
    // The read-ahead of the next batch while the current one is in flight: its rows are not marked yet.
    this.selectAfterSql = select(' AND outbox.sequence > $2::bigint');
    // One statement for the whole batch; the latency is computed by the database so both ends of it come
    // from one clock. `published_at IS NULL` keeps a row's first publication time if it is ever re-sent.
    this.markSql = `
      UPDATE ${table}
      SET published_at = now()
      WHERE sequence = ANY($1::bigint[]) AND published_at IS NULL
      RETURNING extract(epoch FROM published_at - created_at)::float8 AS latency`;
  }

  /**
   * Publishes the oldest unpublished rows, at most `batchSize`: `read`, `send`, `mark` in one go. The
   * relay's drain loop calls the three itself, so that the next read overlaps the send in flight.
   */
  async publishBatch(client: SqlClient): Promise<PublishedBatch> {
    const rows = await this.read(client);
    return this.mark(client, await this.send(rows));
  }

  /**
   * The oldest unpublished rows, at most `batchSize`; with `after`, only rows past that sequence (the
   * batch still in flight). A database error is thrown.
   */
  async read(client: SqlClient, after?: string): Promise<OutboxRow[]> {
    const { rows } =
      after === undefined
        ? await client.query<OutboxRow>(this.selectSql, [this.batchSize])
        : await client.query<OutboxRow>(this.selectAfterSql, [this.batchSize, after]);
    return rows;
  }

  /**
   * Sends the rows, the topics in parallel with one produce request each. Never throws: a topic Kafka did
   * not acknowledge is left out of `sent` and named in `failure` (a `PublishError`); its rows stay
   * unpublished and lead the next batch, so nothing overtakes them.
   */
  async send(rows: readonly OutboxRow[]): Promise<SentBatch> {
    const full = rows.length === this.batchSize;
    if (rows.length === 0) return { rows: 0, full, sent: [] };
    const batches = groupByTopic(rows);
    const results = await Promise.allSettled(
      batches.map(async (batch) => {
        const spans = batch.records.map((record) => startSendSpan(batch.topic, record));
        try {
          await this.options.producer.send(batch.topic, batch.records);
        } catch (error) {
          for (const span of spans) recordFailure(span, error);
          throw error;
        } finally {
          for (const span of spans) span.end();
        }
      }),
    );
    const sent = batches.filter((_, i) => results[i]?.status === 'fulfilled');
    const failures = results.flatMap((result, i) =>
      result.status === 'rejected'
        ? [{ topic: batches[i]?.topic ?? '', reason: result.reason as unknown }]
        : [],
    );
    const batch: SentBatch = { rows: rows.length, full, sent };
    if (failures.length > 0) {
      const unsent = failures.map((failure) => failure.topic);
      batch.failure = new PublishError(
        `Kafka did not acknowledge the outbox rows for ${unsent.join(', ')}`,
        unsent,
        { cause: failures[0]?.reason },
      );
    }
    return batch;
  }

  /**
   * Marks the rows Kafka acknowledged as published (even when another topic of the batch failed: their
   * order is independent). A database error is thrown.
   */
  async mark(client: SqlClient, batch: SentBatch): Promise<PublishedBatch> {
    const latenciesSeconds: number[] = [];
    if (batch.sent.length > 0) {
      const marked = await client.query<{ latency: number }>(this.markSql, [
        batch.sent.flatMap((topicBatch) => topicBatch.sequences),
      ]);
      for (const row of marked.rows) latenciesSeconds.push(row.latency);
    }
    const published: PublishedBatch = {
      size: batch.rows,
      full: batch.full,
      topics: batch.sent.map((topicBatch) => ({ topic: topicBatch.topic, count: topicBatch.records.length })),
      latenciesSeconds,
    };
    if (batch.failure) published.failure = batch.failure;
    return published;
  }
}
