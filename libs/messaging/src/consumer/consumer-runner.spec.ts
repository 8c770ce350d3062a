/**
 * The runner's bookkeeping against an in-memory consumer port: what it commits, resolves and seeks for a
 * batch, in the sequential mode and under per-key concurrency alike (the two take different code paths and
 * must agree). Kafka itself is exercised by the integration tests in test/.
 */
import type { DeliveryGuarantee, MessageHandler } from '../core/handler';
import type {
  BatchControls,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerPort,
  EachBatchRunOptions,
  KafkaClient,
  TopicPartitionOffset,
} from '../ports/kafka-client.port';
import { ConsumerRunner } from './consumer-runner';

class FakeConsumer implements ConsumerPort {
  eachBatch: EachBatchRunOptions['eachBatch'] | undefined;
  readonly commits: TopicPartitionOffset[] = [];
  readonly seeks: { partition: number; offset: string }[] = [];
  readonly resolved: string[] = [];

  connect = async (): Promise<void> => undefined;
  subscribe = async (): Promise<void> => undefined;
  async run(options: Parameters<ConsumerPort['run']>[0]): Promise<void> {
    this.eachBatch = options.eachBatch;
  }
  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    this.commits.push(...offsets);
  }
  seek(_topic: string, partition: number, offset: string): void {
    this.seeks.push({ partition, offset });
  }
  pause = (): void => undefined;
  resume = (): void => undefined;
  assignments = (): [] => [];
  on = (): (() => void) => () => undefined;
  disconnect = async (): Promise<void> => undefined;

  /** Hands one batch to the runner, as the adapter would. */
  deliver(batch: ConsumedBatch): Promise<void> {
    const controls: BatchControls = {
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: (offset) => {
        this.resolved.push(offset);
      },
    };
    if (!this.eachBatch) throw new Error('not running');
    return this.eachBatch(batch, controls);
  }
}

function batchOf(offsets: number[], keys: string[] = ['a']): ConsumedBatch {
  const records: ConsumedRecord[] = offsets.map((offset, i) => ({
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: Buffer.from(keys[i % keys.length] ?? ''),
    value: null,
    headers: {},
    timestamp: '0',
  }));
  return { topic: 't', partition: 0, records, highWatermark: String((offsets.at(-1) ?? 0) + 1) };
}

async function started(
  handler: MessageHandler,
  options: { perKey?: boolean; delivery?: DeliveryGuarantee } = {},
): Promise<{ consumer: FakeConsumer; runner: ConsumerRunner }> {
  const consumer = new FakeConsumer();
  const client = {
    consumer: () => consumer,
    producer: () => {
      throw new Error('not used');
    },
    admin: () => {
      throw new Error('not used');
    },
  } satisfies KafkaClient;
  const runner = new ConsumerRunner({
    client,
    groupId: 'g',
    topics: ['t'],
    handler,
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.perKey ? { concurrency: { perKey: true, maxInFlight: 4 } } : {}),
  });
  await runner.start();
  return { consumer, runner };
}

describe.each([
  ['sequentially', false],
  ['with per-key concurrency', true],
])('ConsumerRunner, %s', (_mode, perKey) => {
  it('handles every record and commits one past the last at the end of the batch', async () => {
    const handled: string[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        handled.push(message.record.offset);
      },
      { perKey },
    );
    await consumer.deliver(batchOf([5, 6, 7, 9]));
    expect(handled).toEqual(['5', '6', '7', '9']);
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '10' }]);
    expect(consumer.resolved).toEqual(['9']);
    expect(consumer.seeks).toEqual([]);
    await runner.stop();
  });

  it('stops at a record whose error escapes the pipeline: commits and seeks to it', async () => {
    const { consumer, runner } = await started(
      async (message) => {
        if (message.record.offset === '6') throw new Error('boom');
      },
      { perKey },
    );
    await consumer.deliver(batchOf([5, 6, 7]));
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
    expect(consumer.seeks).toEqual([{ partition: 0, offset: '6' }]);
    expect(consumer.resolved).toEqual([]);
    expect(runner.progress()).toEqual([{ topic: 't', partition: 0, offset: '6', timestamp: 0 }]);
    await runner.stop();
  });

  it('passes the attempt from the retry header, 1 without it', async () => {
    const seen: { attempt: number }[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        seen.push({ attempt: message.attempt });
      },
      { perKey },
    );
    const batch = batchOf([1, 2]);
    const retried = batch.records[1];
    if (retried) retried.headers['x-attempt'] = Buffer.from('3');
    await consumer.deliver(batch);
    expect(seen).toEqual([{ attempt: 1 }, { attempt: 3 }]);
    await runner.stop();
  });
});

describe('ConsumerRunner, at-most-once', () => {
  it('commits each record before its handler runs', async () => {
    const order: string[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        order.push(`handle ${message.record.offset}`);
      },
      { delivery: 'at-most-once' },
    );
    const commit = consumer.commit.bind(consumer);
    consumer.commit = async (offsets) => {
      order.push(`commit ${offsets.map((o) => o.offset).join()}`);
      await commit(offsets);
    };
    await consumer.deliver(batchOf([0, 1]));
    expect(order).toEqual(['commit 1', 'handle 0', 'commit 2', 'handle 1']);
    await runner.stop();
  });
});
