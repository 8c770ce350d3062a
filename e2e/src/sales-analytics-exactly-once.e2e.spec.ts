/**
 * Exactly-once under crashes: 2,000 orders go through the saga while the sales-analytics processor is
 * killed with SIGKILL five times, each at a random point of an incarnation's work (once it has committed,
 * a random number of orders later), and started again each time. Its transactions are held open 250 ms
 * (STREAM_COMMIT_DELAY_MS) so that the kills land inside them. Afterwards a read_committed reader of
 * analytics.sku-sales must end with per-SKU totals equal to the orders database's confirmed lines exactly,
 * per-minute windows that add up to them, and the repartition topic must hold exactly one committed delta
 * per SKU of each confirmed order.
 *
 * The kills make the processor process input again (what its killed transactions held is aborted and read
 * again from the last committed offsets); the test reports how much, and fails if the kills interrupted
 * nothing: input records processed more than once (from the processor's "processing" log lines, a lower
 * bound, since a SIGKILL can lose the last lines), and records of aborted transactions on the repartition
 * and output topics (read_uncommitted minus read_committed).
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skuSalesChangedEvent, skuMinuteSalesChangedEvent, Topics } from '@orderstream/contracts';
import { AvroCodec, EnvelopeCodec, EventRegistry, type ConsumedRecord } from '@orderstream/messaging';
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { SagaSystem, type PlaceOrderBody } from './support/saga-system';

const ORDERS = 2_000;
const KILLS = 5;
const CLIENTS = 8;
const CUSTOMERS = 20;
const SKUS = ['SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-POSTER'] as const;
const SETTLE_TIMEOUT_MS = 300_000;

jest.setTimeout(900_000);

function bodyOf(i: number): PlaceOrderBody {
  const items = [{ sku: SKUS[i % SKUS.length]!, quantity: 1 + (i % 3) }];
  // Every third order has a second line, so an order spreads over two SKUs (two repartition records).
  if (i % 3 === 0) items.push({ sku: SKUS[(i + 1) % SKUS.length]!, quantity: 1 });
  return { customerId: `eos-customer-${i % CUSTOMERS}`, items };
}

interface Figure {
  units: number;
  revenueCents: number;
}

describe('sales-analytics: exactly-once through five SIGKILLs', () => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start({
      settleTimeoutMs: SETTLE_TIMEOUT_MS,
      env: {
        // Its "processing" lines are debug; a killed member's tasks move after 6 s rather than 30 s; each
        // transaction is held open 250 ms before its commit, so that the kills land inside transactions (the
        // processor is otherwise idle most of the time at the saga's pace, and a kill between transactions
        // tests nothing).
        'sales-analytics': {
          LOG_LEVEL: 'debug',
          STREAM_SESSION_TIMEOUT_MS: '6000',
          STREAM_COMMIT_DELAY_MS: '250',
        },
        // Only the crash is in play: no order is cancelled by its deadline while the processor is down.
        orders: { SAGA_DEADLINE_MS: '600000' },
      },
    });
    // Credit and stock for every order, so that all of them confirm (as the saga benchmark seeds them).
    await system.seedForLoad(
      Array.from({ length: CUSTOMERS }, (_, i) => `eos-customer-${i}`),
      SKUS,
    );
  });
  afterAll(() => system?.dispose());

  it('ends with totals equal to the confirmed lines, however often it was killed', async () => {
    let placed = 0;
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const i = placed++;
        if (i >= ORDERS) return;
        await system.placeOrder(bodyOf(i));
      }
    });
    // Each kill lands at a random point of an incarnation's work: once the process started last has
    // committed a transaction (a new member waits for the killed one's session to expire before it gets
    // partitions, so a kill before that would interrupt nothing), after a random number of further orders.
    const killAt: number[] = [];
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await waitFor(async () => (await committedTransactions(system)) > 0, {
          description: 'the running processor to commit a transaction',
          timeoutMs: 120_000,
        });
        const target = Math.min(ORDERS, placed + randomInt(0, 100));
        await waitFor(() => placed >= target, { description: `${target} orders placed`, timeoutMs: 120_000 });
        killAt.push(Math.min(placed, ORDERS));
        await system.killOne('sales-analytics');
        await system.startOne('sales-analytics');
      }
    })();
    await Promise.all(clients);
    await killer;
    expect(killAt).toHaveLength(KILLS);

    await waitFor(
      async () => {
        const [row] = await system.query<{ pending: string }>(
          'orders',
          "SELECT count(*) AS pending FROM orders WHERE status = 'PENDING'",
        );
        return row?.pending === '0';
      },
      { description: 'every order to settle', timeoutMs: SETTLE_TIMEOUT_MS },
    );
    const rows = await system.query<{ sku: string; units: string; revenue: string }>(
      'orders',
      `SELECT l.sku, sum(l.quantity) AS units, sum(l.quantity * l.unit_price_cents) AS revenue
         FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE o.status = 'CONFIRMED' GROUP BY l.sku ORDER BY l.sku`,
    );
    const expected: Record<string, Figure> = Object.fromEntries(
      rows.map((r) => [r.sku, { units: Number(r.units), revenueCents: Number(r.revenue) }]),
    );
    const [confirmed] = await system.query<{ n: string }>(
      'orders',
      "SELECT count(*) AS n FROM orders WHERE status = 'CONFIRMED'",
    );
    expect(Number(confirmed!.n)).toBeGreaterThan(ORDERS * 0.9);

    const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: testInfrastructure().schemaRegistryUrl }));
    const registry = new EventRegistry([skuSalesChangedEvent, skuMinuteSalesChangedEvent] as never[]);
    const client = system.kafka('eos-e2e-reader');
    const totals = new Map<string, Figure>();
    const minutes = new Map<string, Figure & { sku: string }>();
    const committed: ConsumedRecord[] = [];
    const reader = client.consumer({
      groupId: uniqueName('eos-reader'),
      isolation: 'read_committed',
      fetchMaxWaitMs: 200,
    });
    await reader.connect();
    await reader.subscribe([Topics.salesAnalytics], { fromBeginning: true });
    await reader.run({
      eachRecord: async (record) => {
        committed.push(record);
        const envelope = await codec.decode(record, registry);
        const data = envelope.data as Figure & { sku: string };
        if (envelope.type === skuSalesChangedEvent.type)
          totals.set(data.sku, { units: data.units, revenueCents: data.revenueCents });
        else minutes.set(record.key!.toString(), data);
      },
    });
    const figures = () =>
      Object.fromEntries(
        [...totals].filter(([sku]) => sku in expected).sort(([a], [b]) => a.localeCompare(b)),
      );
    try {
      await waitFor(() => JSON.stringify(figures()) === JSON.stringify(expected), {
        description: 'analytics.sku-sales to reach the confirmed lines',
        timeoutMs: SETTLE_TIMEOUT_MS,
      }).catch((error: Error) => {
        throw new Error(
          `${error.message}; expected ${JSON.stringify(expected)}, read ${JSON.stringify(figures())}`,
        );
      });
    } finally {
      await reader.disconnect();
    }
    expect(figures()).toEqual(expected);
    expect([...totals.keys()].sort()).toEqual(Object.keys(expected).sort());
    // The minutes of each SKU add up to its total.
    for (const [sku, total] of Object.entries(expected)) {
      const own = [...minutes.values()].filter((m) => m.sku === sku);
      expect(own.reduce((sum, m) => sum + m.units, 0)).toBe(total.units);
      expect(own.reduce((sum, m) => sum + m.revenueCents, 0)).toBe(total.revenueCents);
    }

    // How much was processed again: from the processor's log, and from Kafka's aborted records.
    const log = readFileSync(join(system.logDir, 'sales-analytics.log'), 'utf8').split('\n');
    const seen = new Map<string, number>();
    let processed = 0;
    for (const line of log) {
      if (!line.includes('"stream task processing"')) continue;
      const entry = JSON.parse(line) as { task: string; firstOffset: string; lastOffset: string };
      for (let o = BigInt(entry.firstOffset); o <= BigInt(entry.lastOffset); o++) {
        const k = `${entry.task}@${o}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
        processed++;
      }
    }
    const again = [...seen.values()].filter((n) => n > 1).length;
    const everything = await countRecords(system, Topics.salesAnalytics, committed.length);
    const repartition = 'sales-analytics-sku-deltas-repartition';
    // One committed delta per SKU of each confirmed order, exactly: however often an order's events were
    // processed, its deltas were committed once.
    const [pairs] = await system.query<{ n: string }>(
      'orders',
      `SELECT count(*) AS n FROM (SELECT DISTINCT l.order_id, l.sku FROM order_lines l
         JOIN orders o ON o.id = l.order_id WHERE o.status = 'CONFIRMED') confirmed_skus`,
    );
    const deltasCommitted = await countRecords(system, repartition, Number(pairs!.n), 'read_committed');
    expect(deltasCommitted).toBe(Number(pairs!.n));
    const deltasWritten = await countRecords(system, repartition, deltasCommitted);
    process.stdout.write(
      `sales-analytics exactly-once: ${Number(confirmed!.n)} confirmed orders, ${killAt.length} kills at ${killAt.join(', ')} placed; ` +
        `${processed} input records processed for ${seen.size} distinct (${again} processed more than once, from the log); ` +
        `analytics.sku-sales: ${committed.length} committed records, ${everything - committed.length} in aborted transactions; ` +
        `repartition topic: ${deltasCommitted} committed, ${deltasWritten - deltasCommitted} in aborted transactions\n`,
    );
    expect(processed).toBeGreaterThanOrEqual(seen.size);
    // The kills did interrupt work: input processed again, or records of aborted transactions, or both.
    expect(again + (everything - committed.length) + (deltasWritten - deltasCommitted)).toBeGreaterThan(0);
  });
});

/** Transactions the running sales-analytics process has committed, from its /metrics. */
async function committedTransactions(system: SagaSystem): Promise<number> {
  const text = await (await fetch(`${system.url('sales-analytics')}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('sales_analytics_transactions_total{') && line.includes('outcome="committed"'),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Records of a topic a reader with `isolation` sees (read_uncommitted: aborted transactions included), at
 * least `atLeast`: counted until the count stops growing.
 */
async function countRecords(
  system: SagaSystem,
  topic: string,
  atLeast: number,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted',
): Promise<number> {
  const client = system.kafka('eos-e2e-uncommitted');
  const consumer = client.consumer({
    groupId: uniqueName('eos-count'),
    isolation,
    fetchMaxWaitMs: 200,
  });
  let count = 0;
  await consumer.connect();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({ eachRecord: async () => void count++ });
    const admin = client.admin();
    await admin.connect();
    const ends = await admin.fetchEndOffsets(topic);
    await admin.disconnect();
    const end = ends.reduce((sum, p) => sum + Number(p.offset), 0);
    // Control records (commit and abort markers) take offsets but are never delivered: wait for quiet.
    let last = -1;
    await waitFor(
      () => {
        const settled = count >= atLeast && count === last;
        last = count;
        return settled || count >= end;
      },
      { description: `records of ${topic}`, timeoutMs: 60_000, intervalMs: 1_000 },
    );
    return count;
  } finally {
    await consumer.disconnect();
  }
}
