/**
 * Watches the saga's topics (and the dead-letter topics) while the scenario runs, with a throwaway
 * consumer group of its own, and keeps the CloudEvents headers of every record written since `start`.
 * That is how the demo tells a visitor what happened on the wire: which event, from which service, on
 * which topic, partition and offset, at what time. It reads headers only (binary mode puts every
 * CloudEvents attribute in a header), so it needs no schema registry and no Avro.
 *
 * It subscribes from the beginning, because a fresh group has no offsets and kafkajs cannot start a group
 * "at these offsets" before it owns the partitions; records below the end offsets taken at `start` belong
 * to earlier runs and are skipped without being kept. The group commits nothing and is deleted at `stop`.
 */
import { HEADERS, type ConsumedRecord, type ConsumerPort, type KafkaClient } from '@orderstream/messaging';

export interface RecordedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  /** Kafka timestamp, epoch ms. */
  timestamp: number;
  /** The record's headers as UTF-8 strings (`ce_type`, `ce_source`, `ce_time`, `x-dlt-*`, …). */
  headers: Record<string, string>;
}

export interface EventRecorderOptions {
  client: KafkaClient;
  topics: readonly string[];
  /** The end offset of each partition before the run: records below it are not kept. */
  since: ReadonlyMap<string, readonly { partition: number; offset: string }[]>;
  groupId: string;
}

export class EventRecorder {
  private readonly recorded: RecordedEvent[] = [];
  private readonly byKey = new Map<string, RecordedEvent[]>();

  private constructor(
    private readonly consumer: ConsumerPort,
    private readonly client: KafkaClient,
    private readonly groupId: string,
  ) {}

  static async start(options: EventRecorderOptions): Promise<EventRecorder> {
    const consumer = options.client.consumer({
      groupId: options.groupId,
      // Short waits: the demo wants to see a record soon after it is written, not to save fetches.
      fetchMaxWaitMs: 200,
      sessionTimeoutMs: 10_000,
    });
    const recorder = new EventRecorder(consumer, options.client, options.groupId);
    const floor = new Map<string, bigint>();
    for (const [topic, partitions] of options.since) {
      for (const { partition, offset } of partitions) floor.set(`${topic}/${partition}`, BigInt(offset));
    }
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on('group-join', () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe([...options.topics], { fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 8,
      eachBatch: async (batch, controls) => {
        const min = floor.get(`${batch.topic}/${batch.partition}`) ?? 0n;
        for (const record of batch.records) {
          if (BigInt(record.offset) >= min) recorder.keep(record);
        }
        const last = batch.records[batch.records.length - 1];
        if (last) controls.resolveOffset(last.offset);
        await controls.heartbeat();
      },
    });
    await joined;
    return recorder;
  }

  /** Every kept record, in the order they were read (per partition: offset order). */
  events(): readonly RecordedEvent[] {
    return this.recorded;
  }

  /** The kept records with this key (an order id), in the order they were read. */
  eventsOf(key: string): readonly RecordedEvent[] {
    return this.byKey.get(key) ?? [];
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    const admin = this.client.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.groupId]);
    } catch {
      // Cleanup only: a group the coordinator already forgot (it never committed) is no reason to fail.
    } finally {
      await admin.disconnect();
    }
  }

  private keep(record: ConsumedRecord): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(record.headers)) {
      if (value !== undefined) headers[name] = value.toString('utf8');
    }
    const event: RecordedEvent = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key?.toString('utf8') ?? '',
      timestamp: Number(record.timestamp),
      headers,
    };
    this.recorded.push(event);
    const list = this.byKey.get(event.key) ?? [];
    list.push(event);
    this.byKey.set(event.key, list);
  }
}

/** The short name of an event type: `orderstream.orders.OrderPlaced` → `OrderPlaced`. */
export function shortType(type: string | undefined): string {
  if (!type) return '(no ce_type)';
  return type.slice(type.lastIndexOf('.') + 1);
}

/** The CloudEvents type of a recorded event. */
export function typeOf(event: RecordedEvent): string | undefined {
  return event.headers[HEADERS.type];
}
