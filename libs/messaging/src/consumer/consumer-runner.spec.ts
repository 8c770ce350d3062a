/**
 * The runner's bookkeeping against an in-memory consumer port: what it commits, resolves, seeks, pauses
 * and resumes for a batch, in the sequential mode and under per-key concurrency alike (the two are
 * strategies of one dispatch loop and must agree), with a unit of work, and when it stops before a
 * handler returns. Kafka itself is exercised by the integration tests in test/.
 */
import { DeferredDelivery } from '../core/deferred';
import type { DeliveryGuarantee, MessageHandler } from '../core/handler';
import { plainLogger, type Logger } from '../logging/logger';
import type {
  BatchControls,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerEvents,
  ConsumerPort,
  EachBatchRunOptions,
  KafkaClient,
  TopicPartitionOffset,
  TopicPartitions,
} from '../ports/kafka-client.port';
import { ConsumerRunner, ConsumerRunnerConfigError, type ConsumerRunnerOptions } from './consumer-runner';
import type { UnitOfWork } from './unit-of-work';

class FakeConsumer implements ConsumerPort {
  eachBatch: EachBatchRunOptions['eachBatch'] | undefined;
  readonly commits: TopicPartitionOffset[] = [];
  readonly seeks: { partition: number; offset: string }[] = [];
  readonly resolved: string[] = [];
  /** Every pause and resume, in order, as `pause t` / `resume t:0,1`. */
  readonly flow: string[] = [];
  assigned: TopicPartitions[] = [];
  delivered = 0;
  /** Set between `crash` and `rejoin`: pause, resume and seek throw, as kafkajs's do while it restarts. */
  private restarting = false;
  private readonly listeners = new Map<keyof ConsumerEvents, ((payload: never) => void)[]>();

  connect = async (): Promise<void> => undefined;
  subscribe = async (): Promise<void> => undefined;
  async run(options: Parameters<ConsumerPort['run']>[0]): Promise<void> {
    this.eachBatch = options.eachBatch;
  }
  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    this.commits.push(...offsets);
  }
  seek(_topic: string, partition: number, offset: string): void {
    this.refuseWhileRestarting();
    this.seeks.push({ partition, offset });
  }
  pause(topicPartitions: TopicPartitions[]): void {
    this.refuseWhileRestarting();
    this.flow.push(...topicPartitions.map((tp) => `pause ${nameOf(tp)}`));
  }
  resume(topicPartitions: TopicPartitions[]): void {
    this.refuseWhileRestarting();
    this.flow.push(...topicPartitions.map((tp) => `resume ${nameOf(tp)}`));
    this.onResume?.();
  }
  private refuseWhileRestarting(): void {
    if (this.restarting)
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
  }
  private onResume: (() => void) | undefined;
  /** Resolves at the next `resume`. */
  nextResume(): Promise<void> {
    return new Promise((resolve) => {
      this.onResume = resolve;
    });
  }
  assignments = (): TopicPartitions[] => this.assigned;
  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () => this.listeners.set(event, this.listeners.get(event)?.filter((l) => l !== listener) ?? []);
  }
  private emit<E extends keyof ConsumerEvents>(event: E, payload: ConsumerEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (p: ConsumerEvents[E]) => void)(payload);
  }
  disconnect = async (): Promise<void> => undefined;

  /** As kafkajs's crash: the group is gone until the client restarts the consumer, and so are its pauses. */
  crash(): void {
    this.restarting = true;
    this.assigned = [];
    this.emit('crash', { groupId: 'g', error: new Error('simulated crash'), restart: true });
  }

  /** The restarted consumer joins the group and is assigned `assigned`. */
  rejoin(assigned: TopicPartitions[]): void {
    this.restarting = false;
    this.assigned = assigned;
    this.emit('group-join', { groupId: 'g', memberId: 'm', isLeader: true, assignments: assigned });
  }

  /** Hands one batch to the runner, as the adapter would. */
  deliver(batch: ConsumedBatch): Promise<void> {
    this.delivered += 1;
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

const nameOf = ({ topic, partitions }: TopicPartitions): string =>
  partitions ? `${topic}:${partitions.join(',')}` : topic;

function batchOf(offsets: number[], keys: string[] = ['a'], partition = 0): ConsumedBatch {
  const records: ConsumedRecord[] = offsets.map((offset, i) => ({
    topic: 't',
    partition,
    offset: String(offset),
    key: Buffer.from(keys[i % keys.length] ?? ''),
    value: null,
    headers: {},
    timestamp: '0',
  }));
  return { topic: 't', partition, records, highWatermark: String((offsets.at(-1) ?? 0) + 1) };
}

async function started(
  handler: MessageHandler,
  options: { perKey?: boolean; delivery?: DeliveryGuarantee } & Pick<
    ConsumerRunnerOptions,
    'unitOfWork' | 'commit' | 'logger'
  > = {},
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
    ...(options.unitOfWork ? { unitOfWork: options.unitOfWork } : {}),
    ...(options.commit ? { commit: options.commit } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
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

  it('commits past a transaction marker that ends the batch once every record is finished', async () => {
    const { consumer, runner } = await started(async () => undefined, { perKey });
    // Records 5 and 6, then the commit marker of their transaction at 7 (the client never hands it out).
    await consumer.deliver({ ...batchOf([5, 6]), lastOffset: '7', highWatermark: '8' });
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '8' }]);
    expect(consumer.resolved).toEqual(['7']);
    await runner.stop();
  });

  it('does not commit past a marker when a record before it is unfinished', async () => {
    const { consumer, runner } = await started(
      async (message) => {
        if (message.record.offset === '6') throw new Error('boom');
      },
      { perKey },
    );
    await consumer.deliver({ ...batchOf([5, 6]), lastOffset: '7', highWatermark: '8' });
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
    expect(consumer.seeks).toEqual([{ partition: 0, offset: '6' }]);
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

/** A unit of work that writes what happens to it into `events`; its commits fail while `failing` says so. */
function recordingUnitOfWork(events: string[], failing: () => boolean = () => false): UnitOfWork {
  return {
    begin: async (records) => {
      events.push(`begin ${records.map((r) => r.offset).join(',')}`);
    },
    commit: async () => {
      events.push('commit');
      if (failing()) throw new Error('simulated commit failure');
    },
    rollback: async () => {
      events.push('rollback');
    },
  };
}

describe.each([
  ['sequentially', false],
  ['with per-key concurrency', true],
])('ConsumerRunner with a unit of work, %s', (_mode, perKey) => {
  it('finishes a record only once its chunk committed, and commits the offsets after the chunk', async () => {
    const events: string[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        events.push(`handle ${message.record.offset}`);
      },
      {
        perKey,
        commit: { everyRecords: 2 },
        unitOfWork: { forPartition: () => recordingUnitOfWork(events), maxRecords: 2 },
      },
    );
    const commit = consumer.commit.bind(consumer);
    consumer.commit = async (offsets) => {
      events.push(`offset ${offsets.map((o) => o.offset).join()}`);
      await commit(offsets);
    };
    await consumer.deliver(batchOf([0, 1, 2, 3, 4]));
    expect(events).toEqual([
      'begin 0,1',
      'handle 0',
      'handle 1',
      'commit',
      'offset 2',
      'begin 2,3',
      'handle 2',
      'handle 3',
      'commit',
      'offset 4',
      'begin 4',
      'handle 4',
      'commit',
      'offset 5',
    ]);
    expect(consumer.resolved).toEqual(['4']);
    await runner.stop();
  });

  it('finishes none of the records of a chunk that cannot commit: the partition goes back to its first', async () => {
    const events: string[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        events.push(`handle ${message.record.offset}`);
      },
      {
        perKey,
        unitOfWork: {
          forPartition: () => recordingUnitOfWork(events, () => events.includes('handle 3')),
          maxRecords: 2,
        },
      },
    );
    await consumer.deliver(batchOf([0, 1, 2, 3, 4]));
    expect(events).toEqual([
      'begin 0,1',
      'handle 0',
      'handle 1',
      'commit',
      'begin 2,3',
      'handle 2',
      'handle 3',
      'commit',
      'rollback',
    ]);
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
    expect(consumer.seeks).toEqual([{ partition: 0, offset: '2' }]);
    expect(consumer.flow).toEqual(['pause t:0']);
    expect(runner.progress()).toEqual([{ topic: 't', partition: 0, offset: '2', timestamp: 0 }]);
    await runner.stop();
  });

  it('rolls back a chunk none of whose records was handled', async () => {
    const events: string[] = [];
    const { consumer, runner } = await started(
      async (message) => {
        throw new DeferredDelivery(Date.now() + 60_000 + Number(message.record.offset));
      },
      { perKey, unitOfWork: { forPartition: () => recordingUnitOfWork(events) } },
    );
    await consumer.deliver(batchOf([7, 8]));
    // Per key (one key here), the record queued behind the deferred one never starts either.
    expect(events).toEqual(['begin 7,8', 'rollback']);
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '7' }]);
    expect(consumer.seeks).toEqual([{ partition: 0, offset: '7' }]);
    await runner.stop();
  });
});

describe('ConsumerRunner options', () => {
  it('refuses a unit of work under at-most-once, which commits before the work runs', () => {
    const options: ConsumerRunnerOptions = {
      client: {} as KafkaClient,
      groupId: 'g',
      topics: ['t'],
      handler: async () => undefined,
      delivery: 'at-most-once',
      unitOfWork: { forPartition: () => recordingUnitOfWork([]) },
    };
    expect(() => new ConsumerRunner(options)).toThrow(ConsumerRunnerConfigError);
  });
});

describe('ConsumerRunner pause and resume', () => {
  it('starts nothing of a batch of a paused partition; after resume the batch fetched again runs', async () => {
    const handled: string[] = [];
    const { consumer, runner } = await started(async (message) => {
      handled.push(message.record.offset);
    });
    runner.pause([{ topic: 't', partitions: [0] }]);
    // kafkajs may still hand out a batch it fetched before the pause.
    await consumer.deliver(batchOf([3, 4]));
    expect(handled).toEqual([]);
    expect(consumer.resolved).toEqual([]);
    expect(consumer.commits).toEqual([]);
    runner.resume([{ topic: 't', partitions: [0] }]);
    await consumer.deliver(batchOf([3, 4]));
    expect(handled).toEqual(['3', '4']);
    expect(consumer.flow).toEqual(['pause t:0', 'resume t:0']);
    await runner.stop();
  });

  it('stops a batch at the record after the one during which the application paused', async () => {
    const handled: string[] = [];
    const { consumer, runner } = await started(async (message) => {
      handled.push(message.record.offset);
      if (message.record.offset === '4') runner.pause();
    });
    await consumer.deliver(batchOf([3, 4, 5, 6]));
    expect(handled).toEqual(['3', '4']);
    // Resolved up to the last finished record: the next fetch after `resume` starts at 5.
    expect(consumer.resolved).toEqual(['4']);
    expect(consumer.commits).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
    expect(consumer.flow).toEqual(['pause t']);
    await runner.stop();
  });

  it('narrows a topic-wide pause to the assigned partitions minus the resumed ones', async () => {
    const handled: string[] = [];
    const { consumer, runner } = await started(async (message) => {
      handled.push(`${message.record.partition}:${message.record.offset}`);
    });
    consumer.assigned = [{ topic: 't', partitions: [0, 1] }];
    runner.pause();
    runner.resume([{ topic: 't', partitions: [1] }]);
    await consumer.deliver(batchOf([0], ['a'], 0));
    await consumer.deliver(batchOf([0], ['a'], 1));
    expect(handled).toEqual(['1:0']);
    runner.resume();
    await consumer.deliver(batchOf([0], ['a'], 0));
    expect(handled).toEqual(['1:0', '0:0']);
    expect(consumer.flow).toEqual(['pause t', 'resume t:1', 'resume t']);
    await runner.stop();
  });

  it('keeps a partition it holds paused through a resume, and resumes it itself when the record is due', async () => {
    let deferred = false;
    const handled: string[] = [];
    const { consumer, runner } = await started(async (message) => {
      if (message.record.offset === '6' && !deferred) {
        deferred = true;
        throw new DeferredDelivery(Date.now() + 30);
      }
      handled.push(message.record.offset);
    });
    await consumer.deliver(batchOf([5, 6, 7]));
    expect(handled).toEqual(['5']);
    expect(consumer.seeks).toEqual([{ partition: 0, offset: '6' }]);
    runner.resume();
    expect(consumer.flow).toEqual(['pause t:0', 'resume t', 'pause t:0']);
    await consumer.nextResume();
    expect(consumer.flow).toEqual(['pause t:0', 'resume t', 'pause t:0', 'resume t:0']);
    await consumer.deliver(batchOf([6, 7]));
    expect(handled).toEqual(['5', '6', '7']);
    await runner.stop();
  });
});

describe.each([
  ['sequentially', false, ['6']],
  ['with per-key concurrency', true, ['6', '7']],
])('ConsumerRunner stop, %s', (_mode, perKey, abandoned) => {
  it('gives up on a handler that never returns after the timeout and reports what it abandoned', async () => {
    const handled: string[] = [];
    const stuck: string[] = [];
    let allStuck: () => void = () => undefined;
    const stuckAsExpected = new Promise<void>((resolve) => {
      allStuck = resolve;
    });
    const { consumer, runner } = await started(
      async (message) => {
        if (message.record.offset !== '5') {
          stuck.push(message.record.offset);
          if (stuck.length === abandoned.length) allStuck();
          await new Promise<never>(() => undefined);
        }
        handled.push(message.record.offset);
      },
      { perKey },
    );
    // Keys a, b, a: per key, 6 (b) and 7 (a, after 5) both start and never finish.
    void consumer.deliver(batchOf([5, 6, 7], ['a', 'b']));
    await stuckAsExpected;
    const report = await runner.stop({ timeoutMs: 50 });
    expect(report).toEqual({
      graceful: false,
      abandoned: [{ topic: 't', partition: 0, offsets: abandoned }],
      durationMs: expect.any(Number),
    });
    // No bound on durationMs here: a unit test does not time (a 50 ms timer may fire at 49 ms by Date.now).
    // test/consumer-stop-timeout.int.spec.ts checks the bound against a real broker.
    expect(handled).toEqual(['5']);
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

/** A logger that keeps `level message` of every line. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (_fields: Record<string, unknown>, message: string): void => {
      lines.push(`${level} ${message}`);
    };
  return {
    logger: plainLogger({
      debug: keep('debug'),
      info: keep('info'),
      warn: keep('warn'),
      error: keep('error'),
    }),
    lines,
  };
}

describe('ConsumerRunner while the client restarts a crashed consumer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stops all the same: with the group gone there is nothing to pause', async () => {
    const { logger, lines } = recordingLogger();
    const { consumer, runner } = await started(async () => undefined, { logger });
    consumer.crash();
    await expect(runner.stop()).resolves.toEqual({
      graceful: true,
      abandoned: [],
      durationMs: expect.any(Number),
    });
    expect(lines).toContainEqual(expect.stringMatching(/^debug consumer pause refused: .* stopping anyway/));
  });

  it('resumes a held partition from its timer without throwing, and at the next join', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    let deferred = false;
    const { consumer, runner } = await started(async (message) => {
      if (message.record.offset === '6' && !deferred) {
        deferred = true;
        throw new DeferredDelivery(Date.now() + 1_000);
      }
    });
    await consumer.deliver(batchOf([5, 6, 7]));
    expect(consumer.flow).toEqual(['pause t:0']);
    consumer.crash();
    // The hold ends while the consumer refuses: a throw here would be an uncaught exception in a service.
    expect(() => jest.advanceTimersByTime(1_000)).not.toThrow();
    expect(consumer.flow).toEqual(['pause t:0']);
    consumer.rejoin([{ topic: 't', partitions: [0, 1] }]);
    expect(consumer.flow).toEqual(['pause t:0', 'resume t:0,1']);
    await runner.stop();
  });

  it('pauses again at the next join what the application paused and what it holds', async () => {
    const { consumer, runner } = await started(async (message) => {
      if (message.record.offset === '6') throw new DeferredDelivery(Date.now() + 60_000);
    });
    await consumer.deliver(batchOf([5, 6], ['a'], 0));
    runner.pause([{ topic: 't', partitions: [1] }]);
    consumer.crash();
    // Refused while restarting; done at the join.
    runner.pause([{ topic: 't', partitions: [2] }]);
    expect(consumer.flow).toEqual(['pause t:0', 'pause t:1']);
    consumer.rejoin([{ topic: 't', partitions: [0, 1, 2, 3] }]);
    expect(consumer.flow).toEqual(['pause t:0', 'pause t:1', 'resume t:3', 'pause t:0,1,2']);
    await runner.stop();
  });
});
