/**
 * `npm run bench:messaging`: the messaging library against raw kafkajs and raw PostgreSQL, on one broker and
 * one database, in one run, so the ratios compare like with like. Not a test: it asserts nothing about
 * speed, it prints a Markdown table (stdout; progress goes to stderr). Method and recorded results:
 * docs/benchmarks.md.
 *
 * Options (all optional): --messages N (measured records per consume and batch-produce contender, default
 * 50000), --warm-up N (5000), --partitions N (4), --batch N (records per produce request, 500),
 * --single N (records for the one-at-a-time produce rows, 2000), --latency-rate N (records/s offered in
 * the latency phase, 500), --latency-seconds N (5), --pg-seconds N (5).
 */
import { randomBytes, randomUUID } from 'node:crypto';
// Like the tests, the benchmark takes its infrastructure and isolation helpers from libs/testing (lint allows
// that for bench/ folders as for tests; the bench is not shipped: it is not under src/).
import {
  benchOut,
  benchProgress,
  createMigratedDatabase,
  createTestTopic,
  machineLine,
  measurePgCommitRate,
  positiveIntegerOptions,
  provideInfrastructure,
  uniqueName,
  within,
  type MigratedDatabase,
  type TestInfrastructure,
} from '@orderstream/testing';
import {
  AvroCodec,
  batchedEffectivelyOnce,
  buildPipeline,
  ConsumerRunner,
  decodeMiddleware,
  EnvelopeCodec,
  event,
  EventRegistry,
  Publisher,
  subjectFor,
  type AdminPort,
  type AvroRecordSchema,
  type BatchedEffectivelyOnce,
  type DeliveryGuarantee,
  type EventDefinition,
  type KafkaClient,
  type Middleware,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import { effectivelyOnce, messagingMigrations, PostgresInbox } from '../src/postgres';
import { RawKafkaJsBaseline } from '../src/adapters/kafkajs/bench/raw-kafkajs.baseline';
import {
  benchOrder,
  benchOrderDefinition,
  benchOrderSchema,
  KEYS,
  noteLengthFor,
  PAYLOAD_BYTES,
  type BenchOrder,
} from './bench-payload';
import { ConsumeProbe } from './consume-probe';
import { observedKafkaClient } from './observed-kafka-client';

interface BenchOptions {
  messages: number;
  warmUp: number;
  partitions: number;
  batch: number;
  single: number;
  latencyRate: number;
  latencySeconds: number;
  pgSeconds: number;
}

function parseOptions(): BenchOptions {
  const o = positiveIntegerOptions({
    messages: 50_000,
    'warm-up': 5_000,
    partitions: 4,
    batch: 500,
    single: 2_000,
    'latency-rate': 500,
    'latency-seconds': 5,
    'pg-seconds': 5,
  });
  return {
    messages: o.messages,
    warmUp: o['warm-up'],
    partitions: o.partitions,
    batch: o.batch,
    single: o.single,
    latencyRate: o['latency-rate'],
    latencySeconds: o['latency-seconds'],
    pgSeconds: o['pg-seconds'],
  };
}

const progress = benchProgress;
const out = benchOut;

async function endOffsets(admin: AdminPort, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchEndOffsets(topic)).map((p) => [p.partition, Number(p.offset)]));
}

/** Everything the phases share. */
interface Bench {
  options: BenchOptions;
  infra: TestInfrastructure;
  client: KafkaClient;
  admin: AdminPort;
  codec: AvroCodec;
  schema: AvroRecordSchema;
  noteLength: number;
  db: MigratedDatabase;
  databaseUrl: string;
  runId: string;
  /** Every topic the run created, deleted at the end (they hold ~60 MB each). */
  topics: string[];
}

/** A topic of this run's own with the configured partitions. */
async function newTopic(bench: Bench, prefix: string): Promise<string> {
  const topic = await createTestTopic(bench.admin, prefix, { partitions: bench.options.partitions });
  bench.topics.push(topic);
  return topic;
}

const order = (bench: Bench, index: number): BenchOrder => benchOrder(index, bench.noteLength);

// ---------------------------------------------------------------------------------------------- produce

interface ProduceResult {
  name: string;
  rate: number;
}

/** Sends records `[0, warmUp)` untimed, then `[warmUp, warmUp + count)` timed; returns records/s. */
async function timedSends(
  warmUp: number,
  count: number,
  chunk: number,
  send: (from: number, to: number) => Promise<void>,
): Promise<number> {
  const sendRange = async (from: number, to: number): Promise<void> => {
    for (let start = from; start < to; start += chunk) await send(start, Math.min(start + chunk, to));
  };
  await sendRange(0, warmUp);
  const started = performance.now();
  await sendRange(warmUp, warmUp + count);
  return count / ((performance.now() - started) / 1_000);
}

async function producePhase(bench: Bench): Promise<ProduceResult[]> {
  const { options, codec, schema } = bench;
  const topic = (name: string) => newTopic(bench, `bench.produce.${name}`);
  const raw = new RawKafkaJsBaseline({ brokers: bench.infra.kafkaBrokers, clientId: 'bench-raw-producer' });
  const rawProducer = await raw.producer();
  const publisher = new Publisher({ client: bench.client, codec, source: '/orderstream/bench' });
  await publisher.connect();
  const results: ProduceResult[] = [];
  try {
    const singleWarmUp = Math.ceil(options.single / 10);
    // Raw produce encodes with the same Avro codec: a raw kafkajs service must encode its payloads too, so
    // the ratio shows what the envelope and the publisher add, not what Avro costs.
    const rawRecords = async (from: number, to: number) => {
      const records = [];
      for (let i = from; i < to; i++) {
        const data = order(bench, i);
        records.push({ key: data.orderId, value: await codec.encode(schema, data) });
      }
      return records;
    };

    progress(`produce: raw kafkajs, ${options.batch} per request`);
    const rawBatchTopic = await topic('raw-batch');
    results.push({
      name: `raw kafkajs send, ${options.batch} records per request`,
      rate: await timedSends(options.warmUp, options.messages, options.batch, async (from, to) =>
        rawProducer.send(rawBatchTopic, await rawRecords(from, to)),
      ),
    });

    // The same, with the CloudEvents headers a hand-written kafkajs producer would set: it separates what the
    // headers cost in kafkajs (its record encoder builds each header separately) from what the library adds.
    const rawWithHeaders = async (from: number, to: number) => {
      const records = await rawRecords(from, to);
      return records.map((record) => ({
        ...record,
        headers: {
          ce_id: randomUUID(),
          ce_type: subjectFor(schema),
          ce_source: '/orderstream/bench',
          ce_subject: record.key,
          ce_time: new Date().toISOString(),
          ce_specversion: '1.0',
          'content-type': 'application/avro',
          'correlation-id': randomUUID(),
        },
      }));
    };
    progress(`produce: raw kafkajs with CloudEvents headers, ${options.batch} per request`);
    const rawHeadersTopic = await topic('raw-batch-headers');
    results.push({
      name: `raw kafkajs send with the CloudEvents headers, ${options.batch} records per request`,
      rate: await timedSends(options.warmUp, options.messages, options.batch, async (from, to) =>
        rawProducer.send(rawHeadersTopic, await rawWithHeaders(from, to)),
      ),
    });

    progress(`produce: Publisher.publishBatch, ${options.batch} per call`);
    const batchDefinition = benchOrderDefinition(await topic('publish-batch'), schema);
    results.push({
      name: `Publisher.publishBatch, ${options.batch} events per call`,
      rate: await timedSends(options.warmUp, options.messages, options.batch, async (from, to) => {
        const events = [];
        for (let i = from; i < to; i++) events.push(event(batchDefinition, order(bench, i)));
        await publisher.publishBatch(events);
      }),
    });

    progress('produce: raw kafkajs, one record per request');
    const rawSingleTopic = await topic('raw-single');
    results.push({
      name: 'raw kafkajs send, 1 record per request, awaited',
      rate: await timedSends(singleWarmUp, options.single, 1, async (from, to) =>
        rawProducer.send(rawSingleTopic, await rawRecords(from, to)),
      ),
    });

    progress('produce: Publisher.publish, one event at a time');
    const singleDefinition = benchOrderDefinition(await topic('publish-single'), schema);
    results.push({
      name: 'Publisher.publish, 1 event per call, awaited',
      rate: await timedSends(singleWarmUp, options.single, 1, async (from) => {
        await publisher.publish(singleDefinition, order(bench, from));
      }),
    });
  } finally {
    await rawProducer.disconnect();
    await publisher.disconnect();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- consume

interface ConsumeResult {
  name: string;
  rate: number;
  commits: number;
  p50: number;
  p99: number;
  latencySamples: number;
  /** Resident set size of this process when the drain started, in bytes. */
  rssBefore: number;
  /** Highest resident set size sampled while the backlog drained, in bytes. */
  rssPeak: number;
}

/**
 * Samples the resident set size of this process every 10 ms until stopped; returns the highest value.
 * The consumer under test runs in this process (the contenders one after another), so this is its peak
 * memory while it drained, on top of what the process held before (`rssBefore`).
 */
function sampleRssPeak(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

interface RunningConsumer {
  stop(): Promise<void>;
}

interface ConsumeContender {
  name: string;
  start(topic: string, probe: ConsumeProbe): Promise<RunningConsumer>;
}

function contenders(bench: Bench): ConsumeContender[] {
  const { codec, schema } = bench;
  const envelopes = new EnvelopeCodec(codec);
  /** `envelope: false` runs the raw baseline's work (Avro decode only) instead of the decode middleware. */
  const runner = (
    name: string,
    delivery: DeliveryGuarantee,
    inbox: Middleware[],
    envelope = true,
    batched?: (groupId: string) => BatchedEffectivelyOnce,
  ): ConsumeContender => ({
    name,
    start: async (topic, probe) => {
      const definitions = new EventRegistry([
        benchOrderDefinition(topic, schema) as EventDefinition<unknown>,
      ]);
      const groupId = uniqueName(`bench.${delivery}`);
      const batch = batched?.(groupId);
      const consumerRunner = new ConsumerRunner({
        ...(batch ? { unitOfWork: batch.unitOfWork } : {}),
        client: observedKafkaClient(bench.client, probe),
        groupId,
        topics: [topic],
        delivery,
        // Decoding (envelope headers + Avro) is the work every handler needs; the handler itself does
        // nothing more, like the raw baseline's.
        handler: envelope
          ? buildPipeline(
              {
                ...(batch
                  ? { transaction: batch.middleware }
                  : inbox.length > 0
                    ? { transaction: inbox }
                    : {}),
                decode: decodeMiddleware(envelopes, definitions),
              },
              async () => undefined,
            )
          : async (message) => {
              await codec.decode(message.record.value, schema);
            },
      });
      await consumerRunner.start();
      return {
        stop: async () => {
          await consumerRunner.stop();
        },
      };
    },
  });
  return [
    {
      name: 'raw kafkajs eachBatch',
      start: async (topic, probe) => {
        const raw = new RawKafkaJsBaseline({
          brokers: bench.infra.kafkaBrokers,
          clientId: 'bench-raw-consumer',
        });
        return raw.consume({
          topic,
          groupId: uniqueName('bench.raw'),
          // The same Avro decoding the runner's decode middleware does (it also parses the envelope headers).
          handle: async (value) => {
            await codec.decode(value, schema);
          },
          observer: probe,
          partitionsConsumedConcurrently: 4,
        });
      },
    },
    runner('ConsumerRunner at-least-once', 'at-least-once', []),
    // A profile of the gap to raw kafkajs: the runner with exactly the raw baseline's per-record work, so
    // the difference to the row above is the envelope decoding and the rest is the runner and adapter.
    runner('ConsumerRunner at-least-once, Avro decode only', 'at-least-once', [], false),
    runner('ConsumerRunner effectively-once', 'effectively-once', [
      effectivelyOnce({ dataSource: bench.db.dataSource }),
    ]),
    runner('ConsumerRunner effectively-once, batch transactions', 'effectively-once', [], true, (groupId) =>
      batchedEffectivelyOnce({ inbox: new PostgresInbox(bench.db.dataSource), groupId }),
    ),
  ];
}

/** Publishes records at `rate` per second for `seconds`, starting at record `first`; returns the next index. */
async function publishPaced(
  publisher: Publisher,
  definition: EventDefinition<BenchOrder>,
  bench: Bench,
  first: number,
  rate: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rate));
    if (due > sent) {
      const events = [];
      for (let i = sent; i < due; i++) events.push(event(definition, order(bench, first + i)));
      await publisher.publishBatch(events);
      sent = due;
    } else {
      // Pacing an offered load is this loop's job: wait for the next 5 ms tick of the schedule.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return first + total;
}

async function consumePhase(bench: Bench): Promise<ConsumeResult[]> {
  const { options, admin, schema } = bench;
  const publisher = new Publisher({ client: bench.client, codec: bench.codec, source: '/orderstream/bench' });
  await publisher.connect();
  const results: ConsumeResult[] = [];
  try {
    for (const contender of contenders(bench)) {
      // Each contender consumes its own topic holding the same records: warm-up first, then the measured set.
      const topic = await newTopic(bench, 'bench.consume');
      const definition = benchOrderDefinition(topic, schema);
      progress(
        `consume: ${contender.name}: producing ${options.warmUp} + ${options.messages} records to ${topic}`,
      );
      const publishRange = async (from: number, to: number): Promise<void> => {
        for (let start = from; start < to; start += options.batch) {
          const events = [];
          for (let i = start; i < Math.min(start + options.batch, to); i++)
            events.push(event(definition, order(bench, i)));
          await publisher.publishBatch(events);
        }
      };
      await publishRange(0, options.warmUp);
      const warmedUp = await endOffsets(admin, topic);
      await publishRange(options.warmUp, options.warmUp + options.messages);
      const produced = await endOffsets(admin, topic);

      progress(`consume: ${contender.name}: draining the backlog`);
      const probe = new ConsumeProbe();
      probe.openWindow(warmedUp);
      const rssBefore = process.memoryUsage.rss();
      const stopRssSampling = sampleRssPeak();
      const consumer = await contender.start(topic, probe);
      try {
        await within(probe.closeWindow(produced), 300_000, `${contender.name} (backlog)`);
        const rssPeak = stopRssSampling();
        const rate = probe.throughput();
        const commits = probe.commitCount();

        progress(`consume: ${contender.name}: latency at ${options.latencyRate} records/s`);
        let next = options.warmUp + options.messages;
        next = await publishPaced(publisher, definition, bench, next, options.latencyRate, 1);
        probe.openWindow(await endOffsets(admin, topic));
        await publishPaced(publisher, definition, bench, next, options.latencyRate, options.latencySeconds);
        await within(
          probe.closeWindow(await endOffsets(admin, topic)),
          120_000,
          `${contender.name} (latency)`,
        );
        results.push({
          name: contender.name,
          rate,
          commits,
          p50: probe.latency(0.5),
          p99: probe.latency(0.99),
          latencySamples: probe.measuredCount(),
          rssBefore,
          rssPeak,
        });
      } finally {
        stopRssSampling();
        await consumer.stop();
      }
    }
  } finally {
    await publisher.disconnect();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- report

const mib = (bytes: number): string => (bytes / 1_048_576).toFixed(0);

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[\d.,]+$|^n\/a$/.test(r[i] ?? '')));
  const cell = (text: string, i: number) =>
    numeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

const rate = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const ratio = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : 'n/a';

// ---------------------------------------------------------------------------------------------- main

async function run(infra: TestInfrastructure, options: BenchOptions): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'messaging-bench' });
  const admin = client.admin();
  await admin.connect();
  const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  const schema = benchOrderSchema(runId);
  await codec.register(schema);
  let databaseUrl = '';
  const db = await createMigratedDatabase(infra.postgresUrl, 'bench_messaging', (url) => {
    databaseUrl = url;
    return {
      type: 'postgres',
      url,
      migrations: messagingMigrations(),
      migrationsTransactionMode: 'all',
      synchronize: false,
    };
  });
  const bench: Bench = {
    options,
    infra,
    client,
    admin,
    codec,
    schema,
    noteLength: noteLengthFor(schema),
    db,
    databaseUrl,
    runId,
    topics: [],
  };
  const started = Date.now();
  try {
    const [{ server_version: postgresVersion }] = (await db.dataSource.query('SHOW server_version')) as [
      { server_version: string },
    ];
    const brokers = (await admin.describeCluster()).brokers.length;

    progress(`PostgreSQL: single-row INSERT commits, 1 and ${options.partitions} connections`);
    const pg = async (connections: number) =>
      measurePgCommitRate({
        databaseUrl,
        connections,
        warmUpMs: 1_000,
        durationMs: options.pgSeconds * 1_000,
        // Into the inbox table itself (under its own consumer group): the same primary key and index as the
        // effectively-once work this rate bounds.
        insertSql: `INSERT INTO messaging_inbox (consumer_group, message_id, topic, partition, "offset") VALUES ($1, $2, 'bench', $3, $4)`,
        parameters: (connection, sequence) => [
          `bench-raw-pg-${connections}`,
          `m-${sequence}`,
          connection,
          sequence,
        ],
      });
    const pgOne = await pg(1);
    const pgMany = await pg(options.partitions);

    const produced = await producePhase(bench);
    const consumed = await consumePhase(bench);

    out(`## Messaging benchmark, ${new Date().toISOString()}`);
    out();
    out(machineLine());
    out(
      `Infrastructure (${infra.source}): ${infra.versions.kafka === 'unknown' ? 'Kafka version unknown' : infra.versions.kafka} ` +
        `(${brokers} broker${brokers === 1 ? '' : 's'}), PostgreSQL ${postgresVersion}; everything on this machine`,
    );
    out(
      `Data: ${PAYLOAD_BYTES}-byte Avro values (Confluent wire format), ${KEYS} keys, topics of ${options.partitions} partitions; ` +
        `${options.messages.toLocaleString('en-US')} measured records after ${options.warmUp.toLocaleString('en-US')} warm-up records per contender`,
    );
    out();
    out(
      `### Consume (backlog drain; latency at ${options.latencyRate} records/s offered for ${options.latencySeconds} s)`,
    );
    out();
    for (const line of table(
      [
        'contender',
        'records/s',
        'commits',
        'p50 produce→commit ms',
        'p99 produce→commit ms',
        'RSS at start MiB',
        'peak RSS in drain MiB',
      ],
      consumed.map((c) => [
        c.name,
        rate(c.rate),
        c.commits.toLocaleString('en-US'),
        ms(c.p50),
        ms(c.p99),
        mib(c.rssBefore),
        mib(c.rssPeak),
      ]),
    ))
      out(line);
    out();
    out('### Produce');
    out();
    for (const line of table(
      ['contender', 'records/s'],
      produced.map((p) => [p.name, rate(p.rate)]),
    ))
      out(line);
    out();
    out('### PostgreSQL');
    out();
    for (const line of table(
      ['baseline', 'commits/s'],
      [
        ['single-row INSERT, one per transaction, 1 connection', rate(pgOne)],
        [`single-row INSERT, one per transaction, ${options.partitions} connections`, rate(pgMany)],
      ],
    ))
      out(line);
    out();
    out('### Ratios');
    out();
    const byName = (name: string) => consumed.find((c) => c.name === name)?.rate;
    const raw = byName('raw kafkajs eachBatch');
    const atLeastOnce = byName('ConsumerRunner at-least-once');
    const effectively = byName('ConsumerRunner effectively-once');
    const effectivelyBatched = byName('ConsumerRunner effectively-once, batch transactions');
    const runnerRatio = ratio(atLeastOnce, raw);
    const publishRatio = ratio(produced[2]?.rate, produced[0]?.rate);
    // Effectively-once before this library's batching, same bench on the same machine (docs/benchmarks.md).
    const effectivelyOnceBefore = 3_943;
    for (const line of table(
      ['ratio', 'value', 'goal'],
      [
        [
          'runner at-least-once / raw kafkajs eachBatch',
          runnerRatio,
          `≥ 0.90 (${Number(runnerRatio) >= 0.9 ? 'met' : 'missed'})`,
        ],
        ['runner effectively-once / raw kafkajs eachBatch', ratio(effectively, raw), ''],
        [
          `runner effectively-once, batch transactions / ${effectivelyOnceBefore} records/s (per-record transactions, before)`,
          ratio(effectivelyBatched, effectivelyOnceBefore),
          `≥ 5 (${Number(ratio(effectivelyBatched, effectivelyOnceBefore)) >= 5 ? 'met' : 'missed'})`,
        ],
        [
          'runner effectively-once, batch transactions / per-record transactions (this run)',
          ratio(effectivelyBatched, effectively),
          '',
        ],
        [
          `runner effectively-once / raw PostgreSQL commits (${options.partitions} connections)`,
          ratio(effectively, pgMany),
          '',
        ],
        [
          'Publisher.publishBatch / raw kafkajs send (batched)',
          publishRatio,
          `≥ 0.85 (${Number(publishRatio) >= 0.85 ? 'met' : 'missed'})`,
        ],
        [
          'raw kafkajs send with CloudEvents headers / raw kafkajs send (batched)',
          ratio(produced[1]?.rate, produced[0]?.rate),
          '',
        ],
        [
          'Publisher.publishBatch / raw kafkajs send with CloudEvents headers',
          ratio(produced[2]?.rate, produced[1]?.rate),
          '',
        ],
        [
          'Publisher.publish / raw kafkajs send (one at a time)',
          ratio(produced[4]?.rate, produced[3]?.rate),
          '',
        ],
      ],
    ))
      out(line);
    out();
    out(`Run took ${((Date.now() - started) / 1_000).toFixed(0)} s.`);
  } finally {
    await admin.deleteTopics(bench.topics).catch((error: unknown) => {
      progress(`could not delete the bench topics ${bench.topics.join(', ')}: ${String(error)}`);
    });
    await db.dispose();
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const provided = await provideInfrastructure({ log: (line) => progress(`[infra] ${line}`) });
  try {
    await run(provided.infra, options);
  } finally {
    await provided.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
