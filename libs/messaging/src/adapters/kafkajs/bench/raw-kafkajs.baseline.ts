/**
 * The raw kafkajs baseline of the messaging benchmark (`libs/messaging/bench`): kafkajs used directly, as a
 * careful hand-written producer and at-least-once consumer would use it, with the settings the adapter
 * uses, so the benchmark's ratios measure what the library adds and nothing else.
 *
 * It lives in the adapter folder because only this folder may import kafkajs (lint). It is not part of the
 * library's API: not exported from `src/index.ts`, excluded from the build, imported by relative path from
 * the benchmark only.
 */
import { Kafka, logLevel, type Consumer, type LogEntry, type Producer } from 'kafkajs';

export interface RawRecord {
  key: string;
  value: Buffer;
}

/** What the benchmark learns from a consumer: when each record arrived and when its batch was committed. */
export interface ConsumeObserver {
  /** A record was handed to the consumer's code (called for a whole batch before any record of it is handled). */
  seen(partition: number, offset: string, timestampMs: number): void;
  /** The commit of `nextOffset` (last handled + 1) on `partition` succeeded. */
  committed(partition: number, nextOffset: string): void;
}

export interface RawConsumeOptions {
  topic: string;
  groupId: string;
  /** The per-record work; the benchmark passes the same work it gives the runner's handler. */
  handle(value: Buffer | null): Promise<void>;
  observer: ConsumeObserver;
  /** Like the runner's option of the same name (its default is 4). */
  partitionsConsumedConcurrently: number;
}

export interface RawProducer {
  /** One produce request with all `records` (acks=all, idempotent, no compression: the adapter's settings). */
  send(topic: string, records: RawRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface RawConsumer {
  /** Leaves the group after the batches in progress return. */
  stop(): Promise<void>;
}

/** kafkajs logs to the console by default; only its errors matter here, on stderr. */
function stderrErrors() {
  return ({ level, log }: LogEntry): void => {
    if (level === logLevel.ERROR) process.stderr.write(`[raw kafkajs] ${log.message}\n`);
  };
}

export class RawKafkaJsBaseline {
  private readonly kafka: Kafka;

  constructor(config: { brokers: string[]; clientId: string }) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      requestTimeout: 30_000,
      logLevel: logLevel.ERROR,
      logCreator: () => stderrErrors(),
    });
  }

  async producer(): Promise<RawProducer> {
    // The adapter's producer: idempotent, hence one request in flight and acks=all.
    const producer: Producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return {
      send: async (topic, records) => {
        await producer.send({ topic, acks: -1, messages: records });
      },
      disconnect: () => producer.disconnect(),
    };
  }

  /**
   * A minimal correct at-least-once consumer: per batch, handle each record in order, resolve it, heartbeat,
   * then commit the batch's last offset + 1. No envelope, no middleware, no offset tracking beyond that.
   * Resolves once the consumer is running; records flow from the group's committed offsets (or the
   * beginning of the topic for a new group).
   */
  async consume(options: RawConsumeOptions): Promise<RawConsumer> {
    const { topic, handle, observer } = options;
    // The adapter's consumer settings, so both sides fetch the same batches.
    const consumer: Consumer = this.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 5_000,
      maxBytesPerPartition: 1_048_576,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          observer.seen(batch.partition, message.offset, Number(message.timestamp));
        }
        let last: string | undefined;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          await handle(message.value);
          resolveOffset(message.offset);
          last = message.offset;
          await heartbeat();
        }
        if (last === undefined) return;
        const next = (BigInt(last) + 1n).toString();
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        observer.committed(batch.partition, next);
      },
    });
    return { stop: () => consumer.disconnect() };
  }
}
