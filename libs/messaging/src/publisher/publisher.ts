/**
 * Typed publishing of events: envelope + Avro payload, onto the topic of the event's definition, keyed by
 * its aggregate id, through an idempotent producer that waits for all in-sync replicas (acks=all).
 *
 * What "batching" means here. kafkajs has no linger timer that gathers separate sends into one request (the
 * Java client's `linger.ms`); each `send` is one produce request with all its records. So batching is
 * explicit: `publishBatch` encodes many events and sends them with one request per topic, in the order
 * given, so events of one aggregate keep their order. Compression (`none` or `gzip`, the codecs kafkajs
 * ships without extra native packages) applies per request, and pays off on such batches.
 *
 * Ordering across separate `publish` calls: the idempotent producer keeps one request in flight, so records
 * keep the order in which their sends started. Concurrent `publish` calls start their sends after encoding,
 * which may finish in any order: await each call (or use `publishBatch`) when order per key matters.
 *
 * Tracing: each event gets a `send <topic>` span (kind producer), a child of the explicit traceparent, the
 * active span or the cause's traceparent, in that order, and the record carries the span's context.
 *
 * Failures: a value that does not fit its schema or a schema the registry refuses is a `SchemaError`; an
 * envelope that cannot be built (empty key, bad traceparent) an `InvalidEnvelopeError`; an unreachable
 * registry a `TransportError`; records the broker did not acknowledge a `PublishError`.
 */
import type { Span } from '@opentelemetry/api';
import type { PayloadCodec } from '../codec/payload-codec';
import type { Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import { EnvelopeCodec, type EncodeOptions } from '../envelope/envelope.codec';
import { silentLogger, type Logger } from '../logging/logger';
import type { KafkaClient, OutgoingRecord, ProducerPort, RecordMetadata } from '../ports/kafka-client.port';
import { PublishError } from './publish.error';
import {
  formatTraceparent,
  MESSAGING_ATTRIBUTES,
  producerParent,
  recordFailure,
  startMessagingSpan,
} from '../tracing/trace-context';

export interface PublisherConfig {
  /** The client to create the producer from; the publisher owns (connects and disconnects) that producer. */
  client: Pick<KafkaClient, 'producer'>;
  /** Encodes payloads; `AvroCodec` in production. */
  codec: PayloadCodec;
  /** `ce_source` of every event published, e.g. `/orderstream/orders`; a publish may override it. */
  source: string;
  /** Per produce request. Default `none`. */
  compression?: 'none' | 'gzip';
  /** Definitions whose schemas are registered by `connect`, so no publish waits on the registry. */
  definitions?: readonly EventDefinition<never>[];
  logger?: Logger;
}

/** Envelope options of one publish; `source` defaults to the publisher's. */
export type PublishOptions = Omit<EncodeOptions, 'source'> & { source?: string };

/** One event of a `publishBatch`. Build them with `event(definition, data, options)` to keep them typed. */
export interface BatchEvent<T = unknown> {
  definition: EventDefinition<T>;
  data: T;
  options?: PublishOptions;
}

/** Pairs a definition with matching data for `publishBatch` (the compiler checks `data` against `T`). */
export function event<T>(definition: EventDefinition<T>, data: T, options?: PublishOptions): BatchEvent {
  return { definition, data, ...(options ? { options } : {}) };
}

export interface Published<T> {
  /** The envelope as sent: its id, correlation and causation ids are what a reply should be caused by. */
  envelope: Envelope<T>;
  topic: string;
  partition: number;
  offset: string;
}

export interface PublishedBatch {
  /** The envelopes in the order given. */
  envelopes: Envelope[];
  /** Per topic and partition written, the base offset of the records written there. */
  metadata: RecordMetadata[];
}

function sendSpan(topic: string, options: PublishOptions): Span {
  return startMessagingSpan({
    operation: 'send',
    destination: topic,
    parent: producerParent(options.traceparent, options.causedBy?.traceparent),
  });
}

export class Publisher {
  private readonly producer: ProducerPort;
  private readonly envelopes: EnvelopeCodec;
  private readonly logger: Logger;

  constructor(private readonly config: PublisherConfig) {
    // Idempotent (which makes kafkajs use acks=all and one request in flight): retries never duplicate
    // or reorder records within a partition.
    this.producer = config.client.producer({ idempotent: true, compression: config.compression ?? 'none' });
    this.envelopes = new EnvelopeCodec(config.codec);
    this.logger = config.logger ?? silentLogger;
  }

  /** Connects the producer and registers the configured definitions' schemas. */
  async connect(): Promise<void> {
    await this.producer.connect();
    await this.warmUp(this.config.definitions ?? []);
  }

  /**
   * Registers the schemas of these definitions (and caches their ids), so the first publish of each does
   * not wait on the registry. Fails with `SchemaError` for a schema the registry refuses: better at startup
   * than at the first event.
   */
  async warmUp(definitions: readonly EventDefinition<never>[]): Promise<void> {
    // A tombstone encodes nothing, so it has no schema to register.
    const encoded = definitions.filter((definition) => !definition.tombstone);
    await Promise.all(encoded.map((definition) => this.config.codec.register(definition.schema)));
    if (definitions.length > 0) {
      this.logger.info({ eventTypes: definitions.map((d) => d.type) }, 'Event schemas registered');
    }
  }

  async publish<T>(
    definition: EventDefinition<T>,
    data: T,
    options: PublishOptions = {},
  ): Promise<Published<T>> {
    const span = sendSpan(definition.topic, options);
    try {
      const envelope = this.envelopes.create(definition, data, this.encodeOptions(options, span));
      span.setAttribute(MESSAGING_ATTRIBUTES.messageId, envelope.id);
      span.setAttribute(MESSAGING_ATTRIBUTES.key, envelope.subject);
      const record = await this.envelopes.toRecord(definition, envelope);
      const [metadata] = await this.send(definition.topic, [record], [definition.topic]);
      return {
        envelope,
        topic: definition.topic,
        partition: metadata?.partition ?? -1,
        offset: metadata?.offset ?? '-1',
      };
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Publishes several events with one produce request per topic, topics in order of first appearance.
   * Not atomic across topics (use a transactional producer for that): if a topic's send fails, the
   * `PublishError` lists it and every later topic in `unsentTopics`; earlier topics were written.
   */
  async publishBatch(events: readonly BatchEvent[]): Promise<PublishedBatch> {
    const spans = events.map(({ definition, options }) => sendSpan(definition.topic, options ?? {}));
    try {
      return await this.sendBatch(events, spans);
    } catch (error) {
      for (const span of spans) recordFailure(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  private async sendBatch(events: readonly BatchEvent[], spans: readonly Span[]): Promise<PublishedBatch> {
    const encoded = await Promise.all(
      events.map(async ({ definition, data, options }, i) => {
        const envelope = this.envelopes.create(definition, data, this.encodeOptions(options ?? {}, spans[i]));
        return {
          topic: definition.topic,
          envelope,
          record: await this.envelopes.toRecord(definition, envelope),
        };
      }),
    );
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const { topic, record } of encoded) {
      const records = byTopic.get(topic) ?? [];
      records.push(record);
      byTopic.set(topic, records);
    }
    const topics = [...byTopic.keys()];
    const metadata: RecordMetadata[] = [];
    for (const [index, [topic, records]] of [...byTopic].entries()) {
      metadata.push(...(await this.send(topic, records, topics.slice(index))));
    }
    return { envelopes: encoded.map((e) => e.envelope), metadata };
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** The options with the send span's context as the traceparent (unchanged without an SDK and a parent). */
  private encodeOptions(options: PublishOptions, span: Span | undefined): EncodeOptions {
    const traceparent = formatTraceparent(span?.spanContext());
    return {
      ...options,
      ...(traceparent === undefined ? {} : { traceparent }),
      source: options.source ?? this.config.source,
    };
  }

  private async send(topic: string, records: OutgoingRecord[], unsent: string[]): Promise<RecordMetadata[]> {
    try {
      return await this.producer.send(topic, records);
    } catch (error) {
      const publishError = new PublishError(
        `Publishing ${records.length} record(s) to ${topic} failed: ${(error as Error).message}`,
        unsent,
        { cause: error },
      );
      this.logger.error(
        { topic, records: records.length, code: publishError.code, retriable: publishError.retriable },
        publishError.message,
      );
      throw publishError;
    }
  }
}
