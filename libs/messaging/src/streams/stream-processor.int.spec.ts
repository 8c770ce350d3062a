/**
 * The stream processor against the real broker: exactly-once counting through a changelog-backed store,
 * state restored from the changelog by a second run, a poison record dead-lettered inside the transaction,
 * and fencing: a second producer with the same transactional id, and a zombie processor instance whose
 * partition moved to another instance while it was stalled before its commit.
 */
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { createKafkaJsClient } from '../adapters/kafkajs';
import { ValidationError } from '../errors/application.error';
import { ProducerFencedError, TransportError } from '../errors/messaging.error';
import { DEAD_LETTER_HEADERS } from '../failure/failure-headers';
import { silentLogger, type Logger } from '../logging/logger';
import type { ConsumedRecord, KafkaClient } from '../ports/kafka-client.port';
import { namespacedKafkaClient } from '../ports/namespaced-kafka-client';
import { StreamProcessor, type StreamProcessorOptions } from './stream-processor';
import type { StreamSource } from './stream-topology';

jest.setTimeout(120_000);

/** STREAMS_TEST_LOG=1 shows the processors' log lines on stderr. */
const write = (fields: Record<string, unknown>, message: string) =>
  void process.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
const stderrLogger: Logger = {
  debug: write,
  info: write,
  warn: write,
  error: write,
  child: () => stderrLogger,
};

const APP = 'counter';
const INPUT = 'words';
const OUTPUT = 'word-counts';

function scopedClient(): KafkaClient {
  const raw = createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'streams-int' });
  return namespacedKafkaClient(raw, uniqueName('streams'));
}

/** Counts each word (the record's value) in a store; forwards each changed count once per transaction. */
const counting: StreamSource = {
  topic: INPUT,
  stores: ['counts'],
  process(record, context) {
    const word = record.value?.toString('utf8') ?? '';
    if (word === 'poison') throw new ValidationError(`"${word}" is not a word we count`);
    const counts = context.store<number>('counts');
    counts.put(word, (counts.get(word) ?? 0) + 1);
  },
  flush(context) {
    const counts = context.store<number>('counts');
    for (const word of counts.pendingKeys())
      context.forward(OUTPUT, { key: word, value: Buffer.from(String(counts.get(word))) });
  },
};

async function produce(client: KafkaClient, words: string[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  try {
    // Keyed by the word: one word's records are all in one partition, so its task holds its whole count.
    await producer.send(
      INPUT,
      words.map((w) => ({ key: w, value: Buffer.from(w) })),
    );
  } finally {
    await producer.disconnect();
  }
}

/** Every record of a topic as a reader with the given isolation sees it, once `enough` holds. */
async function readAll(
  client: KafkaClient,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  enough: (records: ConsumedRecord[]) => boolean,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = client.consumer({ groupId: uniqueName('reader'), isolation, fetchMaxWaitMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({ eachRecord: async (r) => void records.push(r) });
    await waitFor(() => enough(records), { description: `records of ${topic}`, timeoutMs: 60_000 }).catch(
      (error: Error) => {
        const read = records.map((r) => [r.partition, r.key?.toString(), r.value?.toString()]);
        throw new Error(`${error.message}; read: ${JSON.stringify(read)}`);
      },
    );
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** The last count per word, as a compacted topic's reader would end up with. */
function latest(records: ConsumedRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.key!.toString()] = Number(r.value!.toString());
  return out;
}

function processor(client: KafkaClient, overrides: Partial<StreamProcessorOptions> = {}): StreamProcessor {
  return new StreamProcessor({
    client,
    applicationId: APP,
    sources: [counting],
    guarantee: 'exactly-once',
    logger: process.env['STREAMS_TEST_LOG'] ? stderrLogger : silentLogger,
    topics: [{ topic: OUTPUT, partitions: 2, config: { 'cleanup.policy': 'compact' } }],
    consumer: { fetchMaxWaitMs: 100 },
    ...overrides,
  });
}

async function createInput(client: KafkaClient): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic: INPUT, partitions: 2 }]);
  await admin.disconnect();
}

describe('StreamProcessor (exactly-once)', () => {
  it('counts every record once, dead-letters a poison record in the transaction, and restores its store', async () => {
    const client = scopedClient();
    await createInput(client);
    const commits: number[] = [];
    const first = processor(client, { listener: { committed: (c) => commits.push(c.records) } });
    void first.start();
    await produce(client, ['a', 'b', 'a', 'poison', 'c', 'a']);
    await waitFor(() => commits.reduce((a, b) => a + b, 0) === 6, { description: 'six records committed' });
    await first.stop();

    // A second run restores the counts from the changelog and carries on from them.
    const opened: number[] = [];
    const second = processor(client, { listener: { opened: (t) => opened.push(t.restored) } });
    void second.start();
    await produce(client, ['a', 'b']);
    const counts = await readAll(
      client,
      OUTPUT,
      'read_committed',
      (r) => latest(r)['a'] === 4 && latest(r)['b'] === 2,
    );
    await second.stop();
    expect(latest(counts)).toEqual({ a: 4, b: 2, c: 1 });
    // Each of the two tasks restored what the first run left in its changelog partition: 3 words in all.
    expect(opened.reduce((a, b) => a + b, 0)).toBe(3);

    const dead = await readAll(client, `${APP}.dlt`, 'read_committed', (r) => r.length >= 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value!.toString()).toBe('poison');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.errorCode]!.toString()).toBe('VALIDATION_FAILED');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.reason]!.toString()).toBe('non-retriable');
  });

  it('fences the older of two producers with one transactional id: its commit fails, its records stay invisible', async () => {
    const client = scopedClient();
    const topic = uniqueName('fenced');
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: 1 }]);
    await admin.disconnect();
    const older = client.producer({ transactionalId: 'task-0' });
    const newer = client.producer({ transactionalId: 'task-0' });
    try {
      await older.connect();
      const zombie = await older.transaction();
      await zombie.send(topic, [{ key: 'k', value: Buffer.from('from the zombie') }]);
      await newer.connect(); // InitProducerId: aborts the open transaction, bumps the epoch.
      const current = await newer.transaction();
      await current.send(topic, [{ key: 'k', value: Buffer.from('from the owner') }]);
      await current.commit();
      await expect(zombie.commit()).rejects.toBeInstanceOf(ProducerFencedError);

      const committed = await readAll(client, topic, 'read_committed', (r) => r.length >= 1);
      expect(committed.map((r) => r.value!.toString())).toEqual(['from the owner']);
      const everything = await readAll(client, topic, 'read_uncommitted', (r) => r.length >= 2);
      expect(everything.map((r) => r.value!.toString())).toEqual(['from the zombie', 'from the owner']);
    } finally {
      await Promise.all([older.disconnect(), newer.disconnect()]);
    }
  });

  it('a zombie instance whose partitions moved while it stalled cannot commit; the counts stay exact', async () => {
    const client = scopedClient();
    await createInput(client);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let stalls = 0;
    const aborted: { fenced: boolean }[] = [];
    // The zombie stalls in its first transaction, past its session timeout: the group evicts it.
    const zombie = processor(client, {
      consumer: { fetchMaxWaitMs: 100, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
      beforeCommit: async () => {
        if (stalls++ === 0) await stalled;
      },
      listener: { aborted: (a) => aborted.push({ fenced: a.fenced }) },
    });
    void zombie.start();
    await produce(client, ['x']);
    await waitFor(() => stalls > 0, { description: 'the zombie to stall before its commit' });

    const opened: string[] = [];
    const owner = processor(client, {
      consumer: { fetchMaxWaitMs: 100, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
      listener: { opened: (t) => opened.push(`${t.topic}-${t.partition}`) },
    });
    void owner.start();
    // The group evicts the stalled member and gives the owner both partitions; x's partition has a record
    // to process, so the owner opens its task, and that fences the zombie's producer for it.
    await waitFor(() => opened.length === 1, {
      description: "the owner to open x's task",
      timeoutMs: 60_000,
    });
    release();
    await waitFor(() => aborted.length > 0, { description: "the zombie's commit to fail" });
    expect(aborted[0]).toEqual({ fenced: true });

    await produce(client, ['x', 'y']);
    const counts = await readAll(
      client,
      OUTPUT,
      'read_committed',
      (r) => latest(r)['x'] === 2 && latest(r)['y'] === 1,
    );
    expect(latest(counts)).toEqual({ x: 2, y: 1 });
    await Promise.all([zombie.stop(), owner.stop()]);
  });
  it('resumes exactly after what another owner committed meanwhile, however far back its fetch position is', async () => {
    const client = scopedClient();
    await createInput(client);
    let interfered = false;
    const commits: number[] = [];
    const resumed = processor(client, {
      listener: { committed: (c) => commits.push(c.records) },
      // The first transaction fails for a transient reason; meanwhile another owner of the task (same
      // transactional id) commits the partition's offset past the first two records.
      beforeCommit: async ({ topic, partition }) => {
        if (interfered) return;
        interfered = true;
        const other = client.producer({ transactionalId: `${APP}-${topic}-${partition}` });
        await other.connect();
        const tx = await other.transaction();
        await tx.sendOffsets(APP, [{ topic, partition, offset: '2' }]);
        await tx.commit();
        await other.disconnect();
        throw new TransportError('the broker went away');
      },
    });
    await resumed.start();
    await produce(client, ['a', 'a', 'a']);
    const counts = await readAll(client, OUTPUT, 'read_committed', (r) => latest(r)['a'] !== undefined);
    await resumed.stop();
    // Offsets 0 and 1 count as the other owner's: the reopened task takes up at 2, and counts it alone.
    expect(latest(counts)).toEqual({ a: 1 });
    expect(commits).toEqual([1]);
  });
});
