/**
 * Back-pressure, measured: a consumer process drains a backlog of 50,000 records of 1 KiB (about 50 MB on
 * the broker) with a slow handler, and its memory stays bounded by what one fetch holds, because the
 * runner ends a batch only when its records are finished (kafkajs fetches from a broker again only when
 * the batches of its previous fetch ended). The same drain by a consumer without back-pressure (it queues
 * every fetched record and returns at once) holds most of the backlog, which shows that the bound is one
 * the runner earns rather than one any consumer would meet.
 *
 * Memory is measured inside the child (fixtures/backlog-consumer.ts) after a garbage collection every
 * 100 ms, so it is what the consumer holds on to: the growth asserted on is live heap plus ArrayBuffers
 * (the record bytes live in Buffers), its peak over the drain minus before the drain. Peak RSS is reported
 * too, not asserted on: the allocator keeps pages it freed, so it says less about what is held.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { consumerTestKit } from './fixtures/consumer-support';

const RECORDS = 50_000;
const VALUE_BYTES = 1_024;
const PARTITIONS = 8;
/**
 * Room for two fetches (8 partitions of up to 1 MiB each, and their decoded records: the next fetch's
 * response arrives while the last batches end), below the backlog's 50 MB. Measured: the runner about
 * 18 MiB, the unbounded consumer about 73 MiB.
 */
const BOUND_BYTES = 32 * 1024 * 1024;

interface Drained {
  mode: string;
  durationMs: number;
  baseline: { rss: number; heapUsed: number; arrayBuffers: number };
  peak: { rss: number; heapUsed: number; arrayBuffers: number };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function growth({ baseline, peak }: Drained): number {
  return peak.heapUsed + peak.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers);
}

/** Runs the backlog consumer to the end and returns what it measured. */
function drain(
  topic: string,
  groupId: string,
  mode: 'runner' | 'unbounded',
  brokers: string,
): Promise<Drained> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=@orderstream/source',
      '--import',
      'tsx',
      join(__dirname, 'fixtures', 'backlog-consumer.ts'),
      topic,
      groupId,
      mode,
      String(RECORDS),
    ],
    { env: { ...process.env, KAFKA_BROKERS: brokers }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('drained '));
      if (code !== 0 || !line) reject(new Error(`backlog consumer (${mode}) exited ${code}: ${output}`));
      else resolve(JSON.parse(line.slice('drained '.length)) as Drained);
    });
  });
}

describe('ConsumerRunner back-pressure (child process, 50,000-record backlog, slow handler)', () => {
  const kit = consumerTestKit('consumer-backpressure');

  it('keeps memory bounded by one fetch while it drains, where a consumer without back-pressure does not', async () => {
    const { topic } = await kit.topicAndGroup('consumer.backlog', PARTITIONS);
    const value = Buffer.alloc(VALUE_BYTES, 'x');
    for (let start = 0; start < RECORDS; start += 1_000) {
      await kit.producer.send(
        topic,
        Array.from({ length: 1_000 }, (_, i) => ({ key: `k${(start + i) % 1_000}`, value })),
      );
    }
    const brokers = kit.infra.kafkaBrokers.join(',');

    const runner = await drain(topic, `${topic}-runner`, 'runner', brokers);
    const unbounded = await drain(topic, `${topic}-unbounded`, 'unbounded', brokers);
    const summary = (d: Drained): string =>
      `${d.mode}: ${d.durationMs} ms, heap+buffers +${mib(growth(d))}, peak RSS ${mib(d.peak.rss)} (from ${mib(d.baseline.rss)})`;
    process.stderr.write(`backlog drain: ${summary(runner)}; ${summary(unbounded)}\n`);

    expect(growth(runner)).toBeLessThan(BOUND_BYTES);
    expect(growth(unbounded)).toBeGreaterThan(BOUND_BYTES);
  });
});
