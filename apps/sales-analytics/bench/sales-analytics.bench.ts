/**
 * `npm run bench:streams`: the sales-analytics processor exactly-once (Kafka transactions) against the same
 * processor at-least-once (idempotent producer, plain offset commit), on the same input, in the same run.
 *
 * Each contender gets a Kafka namespace of its own holding the same input, published before it starts:
 * `--orders` orders (default 50,000), each an OrderPlaced and an OrderConfirmed on orders.events (6
 * partitions), every third with two lines. The contender runs the service's topology (both stages, the
 * repartition topic between them, three SKU partitions) from an empty state. The clock starts at the first
 * committed transaction (or batch) of the first stage and stops when the second stage has committed every
 * delta the first forwarded; events/s = input records / that time. Contenders alternate, `--rounds` times
 * each (default 3), at-least-once first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { orderConfirmedEvent, orderPlacedEvent, Topics, type OrderPlaced } from '@orderstream/contracts';
import {
  AvroCodec,
  EnvelopeCodec,
  namespacedKafkaClient,
  silentLogger,
  StreamProcessor,
  type KafkaClient,
  type OutgoingRecord,
  type ProcessingGuarantee,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import {
  benchOut,
  benchProgress,
  loadAverage,
  machineLine,
  positiveIntegerOptions,
  provideInfrastructure,
  within,
  type TestInfrastructure,
} from '@orderstream/testing';
import { repartitionTopicOf, salesTopology } from '../src/sales/sales-topology';

const SKUS = ['SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-TEE-L', 'SKU-POSTER'];
const APPLICATION_ID = 'sales-analytics';

function orderOf(i: number): OrderPlaced {
  const lines = [{ sku: SKUS[i % SKUS.length]!, quantity: 1 + (i % 3), unitPriceCents: 1_200 }];
  if (i % 3 === 0) lines.push({ sku: SKUS[(i + 2) % SKUS.length]!, quantity: 1, unitPriceCents: 2_500 });
  return {
    orderId: randomUUID(),
    customerId: `bench-customer-${i % 50}`,
    lines,
    totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0),
    currency: 'EUR',
    placedAt: Date.now(),
  };
}

async function publishInput(client: KafkaClient, records: OutgoingRecord[]): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic: Topics.orders, partitions: 6 }]);
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 2_000)
    await producer.send(Topics.orders, records.slice(i, i + 2_000));
  await producer.disconnect();
}

interface Result {
  guarantee: ProcessingGuarantee;
  seconds: number;
  eventsPerSecond: number;
  transactions: number;
}

async function runOnce(
  infra: TestInfrastructure,
  guarantee: ProcessingGuarantee,
  input: OutgoingRecord[],
  deltas: number,
): Promise<Result> {
  const namespace = `bench-streams-${randomBytes(4).toString('hex')}`;
  const client = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'bench-streams' }),
    namespace,
  );
  await publishInput(client, input);
  const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
  const repartition = repartitionTopicOf(APPLICATION_ID);
  let firstCommitAt = 0;
  let stage1 = 0;
  let stage2 = 0;
  let transactions = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const processor = new StreamProcessor({
    client,
    applicationId: APPLICATION_ID,
    guarantee,
    logger: silentLogger,
    sources: salesTopology({ applicationId: APPLICATION_ID, codec, source: '/orderstream/sales-analytics' }),
    topics: [
      { topic: repartition, partitions: 3, config: { 'cleanup.policy': 'delete' } },
      { topic: Topics.salesAnalytics, partitions: 3, config: { 'cleanup.policy': 'compact' } },
    ],
    consumer: { fetchMaxWaitMs: 100 },
    listener: {
      committed: (c) => {
        transactions++;
        if (firstCommitAt === 0) firstCommitAt = performance.now();
        if (c.topic === repartition) stage2 += c.records;
        else stage1 += c.records;
        if (stage1 === input.length && stage2 === deltas) finished();
      },
    },
  });
  await processor.start();
  await within(done, 600_000, `${guarantee} run`);
  const seconds = (performance.now() - firstCommitAt) / 1_000;
  await processor.stop();
  const admin = client.admin();
  await admin.connect();
  await admin.deleteTopics((await admin.listTopics()).filter((t) => t !== '__consumer_offsets'));
  await admin.disconnect();
  return { guarantee, seconds, eventsPerSecond: input.length / seconds, transactions };
}

async function main(): Promise<void> {
  const options = positiveIntegerOptions({ orders: 50_000, rounds: 3 });
  const provided = await provideInfrastructure({ log: (line) => benchProgress(`[infra] ${line}`) });
  try {
    const infra = provided.infra;
    const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const orders = Array.from({ length: options.orders }, (_, i) => orderOf(i));
    const input: OutgoingRecord[] = [];
    for (const order of orders) {
      const placed = await codec.encode(orderPlacedEvent, order, { source: '/orderstream/orders' });
      const confirmed = await codec.encode(
        orderConfirmedEvent,
        { orderId: order.orderId, customerId: order.customerId },
        { source: '/orderstream/orders' },
      );
      input.push(placed, confirmed);
    }
    // One repartition record per SKU of each confirmed order.
    const deltas = orders.reduce((sum, o) => sum + new Set(o.lines.map((l) => l.sku)).size, 0);
    const results: Result[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
        benchProgress(`round ${round + 1}: ${guarantee}`);
        results.push(await runOnce(infra, guarantee, input, deltas));
      }
    }
    const median = (g: ProcessingGuarantee) => {
      const values = results
        .filter((r) => r.guarantee === g)
        .map((r) => r.eventsPerSecond)
        .sort((a, b) => a - b);
      return values[Math.floor((values.length - 1) / 2)]!;
    };
    benchOut(machineLine());
    benchOut(`Load average before the report (1/5/15 min): ${loadAverage()}`);
    benchOut(
      `Input: ${options.orders} orders = ${input.length} records on orders.events (6 partitions), ${deltas} SKU deltas through the repartition topic (3 partitions)`,
    );
    benchOut();
    benchOut('| round | guarantee     | seconds | input events/s | transactions (or batches) |');
    benchOut('| ----: | ------------- | ------: | -------------: | ------------------------: |');
    results.forEach((r, i) =>
      benchOut(
        `| ${Math.floor(i / 2) + 1} | ${r.guarantee.padEnd(13)} | ${r.seconds.toFixed(2)} | ${Math.round(r.eventsPerSecond)} | ${r.transactions} |`,
      ),
    );
    benchOut();
    benchOut(
      `exactly-once / at-least-once (medians): ${(median('exactly-once') / median('at-least-once')).toFixed(2)}×`,
    );
  } finally {
    await provided.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
