/**
 * One task: one partition of one input topic, its stores, and its producer. With exactly-once the producer
 * is transactional with the task's own id, `<applicationId>-<topic>-<partition>`: connecting it makes the
 * coordinator abort whatever an earlier owner of the task left open and fences that owner, which can then
 * neither send nor commit (see docs/exactly-once.md for why a transactional id per task and not per process).
 *
 * Tracing: each input record is processed in a `process <topic>` span, a child of its `traceparent`; what
 * it forwards and the store changes it makes carry that span's context. `flush` (the aggregated output of a
 * whole batch) runs in one more `process <topic>` span, a child of the batch's last record's span with
 * links to the others' (up to `MAX_FLUSH_LINKS`): one output stands for many inputs.
 */
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, trace, type Span, type SpanContext } from '@opentelemetry/api';
import { HEADERS } from '../core/envelope';
import { deadLetterTopicName } from '../failure/retry-policy';
import {
  deadLetterRecord,
  describeError,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_STACK_BYTES,
} from '../failure/failure-record';
import type { Logger } from '../logging/logger';
import type {
  ConsumedRecord,
  ConsumerPort,
  KafkaClient,
  OutgoingRecord,
  ProducerPort,
} from '../ports/kafka-client.port';
import {
  activeTraceparent,
  contextOfHeaders,
  formatTraceparent,
  headerText,
  MESSAGING_ATTRIBUTES,
  recordFailure,
  startMessagingSpan,
  withSpan,
} from '../tracing/trace-context';
import { barrierRecord, restoreStores } from './changelog-restore';
import { KeyValueStore, type StoreValue } from './key-value-store';
import {
  changelogTopicName,
  transactionalIdOf,
  type ProcessingGuarantee,
  type StreamSource,
  type TaskContext,
} from './stream-topology';

/** What one transaction (or at-least-once batch) of a task did. */
export interface TaskCommit {
  topic: string;
  partition: number;
  /** The first and last input offsets it covered. */
  firstOffset: string;
  lastOffset: string;
  records: number;
  /** Records it sent: output, repartition, changelog and dead-letter records together. */
  sent: number;
  deadLettered: number;
}

export interface TaskSettings {
  client: KafkaClient;
  applicationId: string;
  guarantee: ProcessingGuarantee;
  logger: Logger;
  /** For the at-least-once commit. */
  consumer: ConsumerPort;
  /** Runs after the records were processed and sent, before the commit (tests stall a zombie here). */
  beforeCommit?: (task: { topic: string; partition: number }) => Promise<void>;
}

/** At most this many links on a flush span: a batch can hold thousands of records. */
export const MAX_FLUSH_LINKS = 128;

function isRetriable(error: unknown): boolean {
  // Our errors say; anything else (a bug, a TypeError) is treated as transient and retried, like the runner.
  const retriable = (error as { retriable?: unknown } | null)?.retriable;
  return typeof retriable === 'boolean' ? retriable : true;
}

export class StreamTask {
  readonly id: string;
  private readonly stores = new Map<string, KeyValueStore>();
  private producer: ProducerPort | undefined;
  private forwards: { topic: string; record: OutgoingRecord }[] = [];
  private readonly context: TaskContext;
  private readonly deadLetterTopic: string;

  constructor(
    private readonly settings: TaskSettings,
    private readonly source: StreamSource,
    readonly partition: number,
  ) {
    this.id = transactionalIdOf(settings.applicationId, source.topic, partition);
    this.deadLetterTopic = deadLetterTopicName(settings.applicationId);
    for (const name of source.stores) {
      this.stores.set(
        name,
        new KeyValueStore(name, changelogTopicName(settings.applicationId, name), partition),
      );
    }
    const stores = this.stores;
    const forwards = () => this.forwards;
    this.context = {
      topic: source.topic,
      partition,
      store<V extends StoreValue>(name: string): KeyValueStore<V> {
        const store = stores.get(name);
        if (!store) throw new Error(`No store ${name} on ${source.topic}: declare it in the source's stores`);
        return store as unknown as KeyValueStore<V>;
      },
      forward(topic: string, record: OutgoingRecord): void {
        // The span of the record (or flush) being processed, unless the topology set a context itself.
        if (record.headers?.[HEADERS.traceparent] === undefined) {
          const traceparent = activeTraceparent();
          if (traceparent !== undefined) {
            record = { ...record, headers: { ...record.headers, [HEADERS.traceparent]: traceparent } };
          }
        }
        forwards().push({ topic, record });
      },
    };
  }

  get topic(): string {
    return this.source.topic;
  }

  /** Processes one record in its span; resolves with the span's context, rejects as `process` did. */
  private async processTraced(record: ConsumedRecord): Promise<SpanContext> {
    const parent = contextOfHeaders(record.headers);
    const key = headerText(record.key);
    const span = startMessagingSpan({
      operation: 'process',
      destination: record.topic,
      parent,
      attributes: {
        [MESSAGING_ATTRIBUTES.consumerGroup]: this.settings.applicationId,
        [MESSAGING_ATTRIBUTES.partition]: String(record.partition),
        [MESSAGING_ATTRIBUTES.offset]: Number(record.offset),
        ...(key === undefined ? {} : { [MESSAGING_ATTRIBUTES.key]: key }),
      },
    });
    try {
      await withSpan(span, parent, () => this.source.process(record, this.context));
      return span.spanContext();
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  private async flushTraced(processed: readonly SpanContext[]): Promise<void> {
    if (!this.source.flush) return;
    const last = processed[processed.length - 1];
    const parent = last ? trace.setSpanContext(ROOT_CONTEXT, last) : ROOT_CONTEXT;
    const span = startMessagingSpan({
      operation: 'process',
      destination: this.source.topic,
      parent,
      attributes: {
        [MESSAGING_ATTRIBUTES.consumerGroup]: this.settings.applicationId,
        [MESSAGING_ATTRIBUTES.partition]: String(this.partition),
        'messaging.batch.message_count': processed.length,
      },
      links: processed
        .slice(Math.max(0, processed.length - 1 - MAX_FLUSH_LINKS), -1)
        .map((spanContext) => ({ context: spanContext })),
    });
    try {
      await withSpan(span, parent, () => this.source.flush?.(this.context));
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Connects the task's producer (with exactly-once this fences any earlier owner of the task), writes a
   * barrier to each changelog partition and restores the stores up to it. Returns the records restored.
   */
  async open(): Promise<number> {
    const { client, guarantee } = this.settings;
    const producer =
      guarantee === 'exactly-once' ? client.producer({ transactionalId: this.id }) : client.producer();
    this.producer = producer;
    await producer.connect();
    if (this.stores.size === 0) return 0;
    const barrierId = randomUUID();
    // A barrier belongs to no input: each is a trace of its own, so that every record the task writes has one.
    const spans: Span[] = [];
    const barriers = [...this.stores.values()].map((s) => {
      const span = startMessagingSpan({
        operation: 'send',
        destination: s.changelogTopic,
        parent: ROOT_CONTEXT,
      });
      spans.push(span);
      const record = barrierRecord(s, barrierId);
      const traceparent = formatTraceparent(span.spanContext());
      if (traceparent !== undefined)
        record.headers = { ...record.headers, [HEADERS.traceparent]: traceparent };
      return { topic: s.changelogTopic, record };
    });
    if (guarantee === 'exactly-once') {
      const tx = await producer.transaction();
      try {
        for (const b of barriers) await tx.send(b.topic, [b.record]);
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw error;
      }
    } else {
      for (const b of barriers) await producer.send(b.topic, [b.record]);
    }
    for (const span of spans) span.end();
    return restoreStores({
      client,
      applicationId: this.settings.applicationId,
      stores: [...this.stores.values()],
      barrierId,
    });
  }

  /**
   * Processes records of the task's partition, in offset order, as one transaction. Resolves with what it
   * committed; rejects (with nothing committed, the stores as before) when anything failed.
   */
  async process(records: readonly ConsumedRecord[]): Promise<TaskCommit> {
    const producer = this.producer;
    if (!producer) throw new Error(`Task ${this.id} is not open`);
    const { guarantee, applicationId } = this.settings;
    const first = records[0]!;
    const last = records[records.length - 1]!;
    let deadLettered = 0;
    const tx = guarantee === 'exactly-once' ? await producer.transaction() : undefined;
    const links: SpanContext[] = [];
    try {
      for (const record of records) {
        for (const store of this.stores.values()) store.mark();
        const forwarded = this.forwards.length;
        try {
          links.push(await this.processTraced(record));
        } catch (error) {
          if (isRetriable(error)) throw error;
          // A record no retry can fix: its own writes are undone, it goes to the dead-letter topic with
          // the others' output, and the task carries on.
          for (const store of this.stores.values()) store.rollback();
          this.forwards.length = forwarded;
          const failedAt = Date.now();
          this.forwards.push({
            topic: this.deadLetterTopic,
            record: deadLetterRecord(
              {
                record,
                origin: {
                  topic: record.topic,
                  partition: record.partition,
                  offset: record.offset,
                  timestamp: record.timestamp,
                  firstFailureAt: failedAt,
                },
                error: describeError(error, {
                  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
                  maxStackBytes: DEFAULT_MAX_STACK_BYTES,
                }),
                attempt: 1,
                failedAt,
              },
              applicationId,
              'non-retriable',
            ),
          });
          deadLettered++;
          this.settings.logger.warn(
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              error: (error as Error).message,
            },
            'stream task dead-lettered a record',
          );
        }
      }
      await this.flushTraced(links);
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const store of this.stores.values()) {
        const changes = store.changelogRecords();
        if (changes.length > 0) byTopic.set(store.changelogTopic, changes);
      }
      for (const { topic, record } of this.forwards) {
        const list = byTopic.get(topic) ?? [];
        list.push(record);
        byTopic.set(topic, list);
      }
      let sent = 0;
      for (const [topic, list] of byTopic) {
        if (tx) await tx.send(topic, list);
        else await producer.send(topic, list);
        sent += list.length;
      }
      await this.settings.beforeCommit?.({ topic: this.topic, partition: this.partition });
      const next = [
        { topic: this.topic, partition: this.partition, offset: String(BigInt(last.offset) + 1n) },
      ];
      if (tx) {
        await tx.sendOffsets(applicationId, next);
        await tx.commit();
      } else {
        await this.settings.consumer.commit(next);
      }
      for (const store of this.stores.values()) store.commit();
      this.forwards = [];
      return {
        topic: this.topic,
        partition: this.partition,
        firstOffset: first.offset,
        lastOffset: last.offset,
        records: records.length,
        sent,
        deadLettered,
      };
    } catch (error) {
      for (const store of this.stores.values()) store.abort();
      this.forwards = [];
      if (tx) await tx.abort().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  /** A store's committed-and-pending entries (for tests and interactive queries of local state). */
  storeEntries(name: string): [string, StoreValue][] {
    const store = this.stores.get(name);
    return store ? [...store.entries()] : [];
  }
}
