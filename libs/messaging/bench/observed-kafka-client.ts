/**
 * A KafkaClient decorator that reports to a `ConsumeObserver` what the consumers it creates fetch and
 * commit, so the runner is measured at exactly the points the raw baseline reports itself: a batch handed
 * to the consumer's code, and an offset commit that succeeded. It adds a loop over each batch and one call
 * per commit, the same work the raw baseline does for its own observer.
 */
import type {
  ConsumerEvents,
  ConsumerOptions,
  ConsumerPort,
  ConsumerRunOptions,
  KafkaClient,
  TopicPartitionOffset,
  TopicPartitions,
} from '../src';
import type { ConsumeObserver } from '../src/adapters/kafkajs/bench/raw-kafkajs.baseline';

class ObservedConsumer implements ConsumerPort {
  constructor(
    private readonly inner: ConsumerPort,
    private readonly observer: ConsumeObserver,
  ) {}

  connect(): Promise<void> {
    return this.inner.connect();
  }

  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void> {
    return this.inner.subscribe(topics, options);
  }

  run(options: ConsumerRunOptions): Promise<void> {
    const { observer } = this;
    if (options.eachBatch) {
      const { eachBatch } = options;
      return this.inner.run({
        ...options,
        eachBatch: (batch, controls) => {
          for (const r of batch.records) observer.seen(r.partition, r.offset, Number(r.timestamp));
          return eachBatch(batch, controls);
        },
      });
    }
    const { eachRecord } = options;
    return this.inner.run({
      eachRecord: (record) => {
        observer.seen(record.partition, record.offset, Number(record.timestamp));
        return eachRecord(record);
      },
    });
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    await this.inner.commit(offsets);
    for (const { partition, offset } of offsets) this.observer.committed(partition, offset);
  }

  seek(topic: string, partition: number, offset: string): void {
    this.inner.seek(topic, partition, offset);
  }

  pause(topicPartitions: TopicPartitions[]): void {
    this.inner.pause(topicPartitions);
  }

  resume(topicPartitions: TopicPartitions[]): void {
    this.inner.resume(topicPartitions);
  }

  assignments(): TopicPartitions[] {
    return this.inner.assignments();
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    return this.inner.on(event, listener);
  }

  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}

/** `client` with every consumer it creates reporting to `observer`; producers and admins untouched. */
export function observedKafkaClient(client: KafkaClient, observer: ConsumeObserver): KafkaClient {
  return {
    producer: (options) => client.producer(options),
    admin: () => client.admin(),
    consumer: (options: ConsumerOptions) => new ObservedConsumer(client.consumer(options), observer),
  };
}
