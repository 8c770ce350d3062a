/**
 * `npm run bench`: the whole system on one machine (every service of the manifest — the saga's orders,
 * payments and inventory, the outbox relay, and the read side's order-history and notifications — as
 * processes, via the e2e `SagaSystem` fixture) against one broker and one PostgreSQL, in one run. Not a
 * test: it asserts nothing about speed, it prints a Markdown table (stdout; progress goes to stderr).
 * Method and recorded results: docs/benchmarks.md, "System benchmark".
 *
 * Phases, in this order:
 * 1. PostgreSQL baseline: single-row INSERT commits/s on 4 connections (before the services start, so they
 *    do not compete with it).
 * 2. Saturation: `--orders` orders posted with at most `--concurrency` requests in flight; completed sagas/s
 *    from the first POST to the last order's terminal event. CPU milliseconds per completed saga for each
 *    process (every service, Kafka, the registry, PostgreSQL with all its backends, the bench itself),
 *    from /proc at the start of the phase and once the system is quiet again after it.
 * 3. Latency: open-loop arrivals on a timer at 25 %, 50 % and 80 % of the measured saturation rate, for
 *    `--rate-seconds` each; p50/p95/p99 from sending `POST /orders` to the terminal event on orders.events.
 * 4. Relay vs raw producer: `--relay-events` copies of the saga's own outbox rows are committed at once and
 *    timed until the relay has published them all; the same records are then sent by the library's kafkajs
 *    adapter producer (acks=all, idempotent) in batches of the relay's batch size.
 *
 * Options (all optional): --saga choreography|orchestration|both (choreography; `both` runs phases 2 and 3
 * on a fresh system in each mode, one after the other, and prints them side by side with the Kafka records
 * per saga), --orders N (2000), --concurrency N (32), --rate-seconds N (20), --relay-events N (20000),
 * --pg-seconds N (5), --customers N (50).
 *
 * The services keep their fixed consumer groups, so nothing else may run a saga system on the broker
 * meanwhile (no e2e tests, no demo).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type OutgoingRecord } from '@orderstream/messaging';
import { fromStoredHeaders, type StoredHeaders } from '@orderstream/messaging/postgres';
import {
  benchOut,
  benchProgress,
  childProcess,
  clockTicksPerSecond,
  cpuUsage,
  createTestDatabase,
  createTestTopic,
  infrastructureProcesses,
  infrastructureToEnv,
  loadAverage,
  machineLine,
  measurePgCommitRate,
  positiveIntegerOptions,
  postgresPartOf,
  processCommandLine,
  provideInfrastructure,
  readProcStats,
  takeCpuSnapshot,
  waitFor,
  within,
  type CpuTarget,
  type CpuUsage,
  type TestInfrastructure,
} from '@orderstream/testing';
import { Client } from 'pg';
import {
  allTopics,
  databasesOf,
  outboxServices,
  SAGA_MODES,
  serviceNames,
  type SagaMode,
} from '@orderstream/system';
import { SagaSystem, type DatabaseOwner, type PlaceOrderBody } from '../src/support/saga-system';
import { OrderOutcomeProbe } from './order-outcome.probe';

interface BenchOptions {
  /** `--saga choreography|orchestration|both` (default choreography): the modes measured, in this order. */
  sagaModes: readonly SagaMode[];
  orders: number;
  concurrency: number;
  rateSeconds: number;
  relayEvents: number;
  pgSeconds: number;
  customers: number;
}

/** `--saga MODE` (or `--saga=MODE`) out of the arguments; the rest are the numeric options. */
function sagaModesOf(args: string[]): { modes: readonly SagaMode[]; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--saga') value = args[++i] ?? '';
    else if (arg.startsWith('--saga=')) value = arg.slice('--saga='.length);
    else rest.push(arg);
  }
  if (value === undefined || value === 'choreography') return { modes: ['choreography'], rest };
  if (value === 'orchestration') return { modes: ['orchestration'], rest };
  if (value === 'both') return { modes: SAGA_MODES, rest };
  throw new Error(`--saga must be choreography, orchestration or both, got '${value}'`);
}

function parseOptions(): BenchOptions {
  const { modes, rest } = sagaModesOf(process.argv.slice(2));
  const o = positiveIntegerOptions(
    {
      orders: 2_000,
      concurrency: 32,
      'rate-seconds': 20,
      'relay-events': 20_000,
      'pg-seconds': 5,
      customers: 50,
    },
    rest,
  );
  return {
    sagaModes: modes,
    orders: o.orders,
    concurrency: o.concurrency,
    rateSeconds: o['rate-seconds'],
    relayEvents: o['relay-events'],
    pgSeconds: o['pg-seconds'],
    customers: o.customers,
  };
}

const progress = benchProgress;
const out = benchOut;

/** Catalog SKUs with seeded stock (SKU-LIMITED is left out: it is meant to run out). */
const SKUS = ['SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-TEE-L', 'SKU-POSTER'] as const;
/** The relay's default OUTBOX_BATCH_SIZE: the raw producer sends batches of the same size. */
const RELAY_BATCH_SIZE = 500;
const PG_CONNECTIONS = 4;
const WARM_UP_ORDERS = 100;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank: the smallest sample with at least p of all samples at or below it.
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

/** Spreads orders over bench customers and SKUs so no single account or stock row serialises the saga. */
function orderBody(index: number, options: BenchOptions): PlaceOrderBody {
  return {
    customerId: `bench-customer-${index % options.customers}`,
    items: [{ sku: SKUS[index % SKUS.length] ?? 'SKU-RED-MUG', quantity: 1 }],
  };
}

/**
 * Credit and stock for every order of the run, written straight into the services' databases: no endpoint
 * creates customers or receives goods, and this is setup, not part of what is measured.
 */
async function seed(system: SagaSystem, options: BenchOptions): Promise<void> {
  const customers = Array.from({ length: options.customers }, (_, i) => `bench-customer-${i}`);
  await system.seedForLoad(customers, SKUS);
}

interface Outcomes {
  latenciesMs: number[];
  statuses: Map<string, number>;
  lastAt: number;
}

async function settle(
  probe: OrderOutcomeProbe,
  placed: { orderId: string; sentAt: number }[],
  what: string,
): Promise<Outcomes> {
  const outcomes = await within(
    Promise.all(placed.map(async ({ orderId, sentAt }) => ({ sentAt, ...(await probe.outcome(orderId)) }))),
    180_000,
    what,
  );
  const statuses = new Map<string, number>();
  for (const { status } of outcomes) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  return {
    latenciesMs: outcomes.map((o) => o.at - o.sentAt).sort((a, b) => a - b),
    statuses,
    lastAt: Math.max(...outcomes.map((o) => o.at)),
  };
}

/** Posts `count` orders with at most `concurrency` in flight; the closed-loop load of the saturation phase. */
async function postBounded(
  system: SagaSystem,
  options: BenchOptions,
  first: number,
  count: number,
  concurrency: number,
): Promise<{ orderId: string; sentAt: number }[]> {
  const placed: { orderId: string; sentAt: number }[] = [];
  let next = first;
  const worker = async (): Promise<void> => {
    while (next < first + count) {
      const index = next++;
      const sentAt = performance.now();
      const order = await system.placeOrder(orderBody(index, options));
      placed.push({ orderId: order.id, sentAt });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return placed;
}

/**
 * Open-loop arrivals: order i is due at start + i / rate whatever happened to earlier ones, so a slow
 * system sees requests pile up instead of being asked less (no coordinated omission). A timer wakes the
 * loop every few ms and sends everything due.
 */
async function postAtRate(
  system: SagaSystem,
  options: BenchOptions,
  first: number,
  rate: number,
  count: number,
): Promise<{ placed: { orderId: string; sentAt: number }[]; maxLagMs: number }> {
  const requests: Promise<{ orderId: string; sentAt: number }>[] = [];
  let maxLagMs = 0;
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < count && start + (sent * 1_000) / rate <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + (sent * 1_000) / rate));
        const sentAt = performance.now();
        requests.push(
          system
            .placeOrder(orderBody(first + sent, options))
            .then((order) => ({ orderId: order.id, sentAt })),
        );
        sent += 1;
      }
      if (sent < count) setTimeout(tick, 2);
      else done();
    };
    tick();
  });
  return { placed: await Promise.all(requests), maxLagMs };
}

const databasePart = (owner: DatabaseOwner): string => `connections to the ${owner} database`;

/** Every service of the manifest: each one's CPU is charged to the sagas it serves. */
const SERVICES = serviceNames();
/** Every topic of the manifest, whose records per saga are counted (offsets: transaction markers too). */
const SYSTEM_TOPICS: readonly string[] = allTopics().map((topic) => topic.name);
/** Every service that owns a database; its backends' CPU is split out by database. */
const DATABASE_OWNERS: readonly DatabaseOwner[] = Object.keys(databasesOf());
/** The databases of the saga itself: the issue-8 measurement (before the read side existed) covered these. */
const SAGA_DATABASE_OWNERS: readonly DatabaseOwner[] = ['orders', 'payments', 'inventory'];
/** The databases with an outbox, which must be published before the system counts as quiet. */
const OUTBOX_OWNERS: readonly DatabaseOwner[] = outboxServices().map((service) => service.name);

/**
 * The processes whose CPU the saturation phase is charged to: the services (children of this process),
 * tools/infra's Kafka, registry and PostgreSQL (its backends split by the database they serve), and the
 * bench client itself without its children (they are the services). `missing` says what was not found.
 */
async function cpuTargets(
  system: SagaSystem,
  infra: TestInfrastructure,
): Promise<{ targets: CpuTarget[]; missing: string[] }> {
  const targets: CpuTarget[] = [];
  const missing: string[] = [];
  const stats = readProcStats();
  for (const service of SERVICES) {
    const entry = `/apps/${service}/dist/main.js`;
    const pid = childProcess(process.pid, stats, processCommandLine, (cmd) => cmd.includes(entry));
    if (pid === undefined) missing.push(`${service}: no child process runs ${entry}`);
    else targets.push({ name: service, pid, scope: 'tree' });
  }
  const found = await infrastructureProcesses(infra);
  missing.push(...found.missing);
  const kafkaNodes = found.found.filter((p) => p.part.startsWith('kafka-'));
  for (const { part, pid } of found.found) {
    if (part.startsWith('kafka-')) {
      targets.push({ name: kafkaNodes.length > 1 ? `Kafka (${part})` : 'Kafka', pid, scope: 'tree' });
    } else if (part === 'registry') {
      targets.push({ name: 'schema registry (Apicurio)', pid, scope: 'tree' });
    } else if (part === 'postgres') {
      // The relay connects to every outbox database, so each database's part is its service's and the relay's.
      const databases = new Map(
        DATABASE_OWNERS.map((owner) => [
          new URL(system.database(owner).url).pathname.slice(1),
          databasePart(owner),
        ]),
      );
      targets.push({
        name: 'PostgreSQL (all its processes)',
        pid,
        scope: 'tree',
        partOf: postgresPartOf(databases, pid),
      });
    }
  }
  targets.push({ name: 'the bench client (load, probe)', pid: process.pid, scope: 'process' });
  return { targets, missing };
}

/**
 * Waits until the sagas have left nothing to do — no unpublished outbox row, every group caught up, and
 * nothing produced meanwhile — so that the CPU sampled after a phase includes all of its sagas' work
 * (payments and inventory still react to the terminal events) and none of another phase's. The outbox
 * checks go over connections opened before the phase: a new connection is a new PostgreSQL backend.
 */
async function waitUntilQuiet(system: SagaSystem, outboxes: readonly Client[]): Promise<void> {
  const unpublished = async (): Promise<boolean> => {
    for (const db of outboxes) {
      const { rows } = await db.query('SELECT 1 FROM messaging_outbox WHERE published_at IS NULL LIMIT 1');
      if (rows.length > 0) return true;
    }
    return false;
  };
  for (;;) {
    await waitFor(async () => !(await unpublished()), {
      description: 'every outbox row to be published',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    const ends = await system.waitForGroupsCaughtUp(120_000);
    if (!(await unpublished()) && isDeepStrictEqual(await system.endOffsets(), ends)) return;
  }
}

interface RelayResult {
  relayRate: number;
  rawRate: number;
  sourceRows: number;
}

/**
 * Relay vs producer on the same records. The outbox rows are copies of the rows the saga itself wrote into
 * the orders outbox (OrderPlaced, OrderConfirmed …: real headers and Avro payloads), pointed at a bench
 * topic with a fresh ce_id each; a bulk copy in one transaction gives the relay its whole backlog at once,
 * which OutboxWriter (one row per call, inside business transactions) could not do in comparable time.
 */
async function relayPhase(system: SagaSystem, options: BenchOptions, topics: string[]): Promise<RelayResult> {
  const kafka = system.kafka('saga-bench');
  const admin = kafka.admin();
  await admin.connect();
  const db = new Client({ connectionString: system.database('orders').url });
  await db.connect();
  try {
    const partitions = (await admin.fetchEndOffsets('orders.events')).length;
    const relayTopic = await createTestTopic(admin, 'bench.saga.relay', { partitions });
    topics.push(relayTopic);
    const rawTopic = await createTestTopic(admin, 'bench.saga.raw', { partitions });
    topics.push(rawTopic);
    const [{ count }] = (
      await db.query<{ count: string }>(
        "SELECT count(*)::text AS count FROM messaging_outbox WHERE topic = 'orders.events'",
      )
    ).rows as [{ count: string }];
    const sourceRows = Number(count);
    if (sourceRows === 0) throw new Error('The orders outbox has no rows to copy');

    progress(`relay: committing ${options.relayEvents} outbox rows for ${relayTopic}`);
    const total = async (topic: string): Promise<number> =>
      (await admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO messaging_outbox (message_id, event_type, topic, key, headers, payload, aggregate_type, aggregate_id)
       SELECT copy.id, copy.event_type, $1, copy.key, jsonb_set(copy.headers, '{ce_id}', to_jsonb(copy.id)),
              copy.payload, copy.aggregate_type, copy.aggregate_id
       FROM (
         SELECT gen_random_uuid()::text AS id, o.*
         FROM (SELECT * FROM messaging_outbox WHERE topic = 'orders.events') AS o
         CROSS JOIN generate_series(1, ceil($2::numeric / $3)::int)
         LIMIT $2
       ) AS copy`,
      [relayTopic, options.relayEvents, sourceRows],
    );
    await db.query("SELECT pg_notify('messaging_outbox', '')");
    const relayStart = performance.now();
    await db.query('COMMIT');
    // Polling end offsets every 20 ms adds at most that much to a run of seconds.
    await waitFor(async () => (await total(relayTopic)) >= options.relayEvents, {
      description: 'the relay draining the outbox',
      timeoutMs: 180_000,
      intervalMs: 20,
    });
    const relayRate = options.relayEvents / ((performance.now() - relayStart) / 1_000);

    progress(`relay: raw adapter producer sending the same ${options.relayEvents} records to ${rawTopic}`);
    const rows = (
      await db.query<{ key: string; headers: StoredHeaders; payload: Buffer | null }>(
        'SELECT key, headers, payload FROM messaging_outbox WHERE topic = $1 ORDER BY sequence',
        [relayTopic],
      )
    ).rows;
    const records: OutgoingRecord[] = rows.map((row) => ({
      key: row.key,
      value: row.payload,
      headers: fromStoredHeaders(row.headers),
    }));
    const producer = kafka.producer();
    await producer.connect();
    try {
      // One warm-up batch (not counted): the relay's producer was warm, this one must be too.
      await producer.send(rawTopic, records.slice(0, RELAY_BATCH_SIZE));
      const rawStart = performance.now();
      for (let i = 0; i < records.length; i += RELAY_BATCH_SIZE) {
        await producer.send(rawTopic, records.slice(i, i + RELAY_BATCH_SIZE));
      }
      const rawRate = records.length / ((performance.now() - rawStart) / 1_000);
      return { relayRate, rawRate, sourceRows };
    } finally {
      await producer.disconnect();
    }
  } finally {
    await db.end();
    await admin.disconnect();
  }
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // An empty cell (a sub-row's pid) does not make a column of numbers text.
  const numeric = headers.map((_, i) => rows.every((r) => /^-?[\d.,%]*$|^n\/a$/.test(r[i] ?? '')));
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
const statusText = (statuses: Map<string, number>): string =>
  [...statuses.entries()].map(([status, n]) => `${n} ${status}`).join(', ');
const optional = (n: number | undefined, format: (n: number) => string): string =>
  n === undefined ? 'n/a' : format(n);

function cpuRows(usage: CpuUsage): string[][] {
  return usage.rows.map((row) => [
    row.part ? `↳ ${row.name}` : row.name,
    row.pid === undefined ? '' : String(row.pid),
    optional(row.cpuMs, (n) => Math.round(n).toLocaleString('en-US')),
    optional(row.perUnitMs, (n) => n.toFixed(2)),
    optional(row.shareOfMachine, (n) => `${(n * 100).toFixed(1)}%`),
  ]);
}

/** CPU ms per saga of the PostgreSQL backends serving the saga's own databases, if all were measured. */
function sagaDatabasesPerSaga(usage: CpuUsage): number | undefined {
  const parts = SAGA_DATABASE_OWNERS.map(
    (owner) => usage.rows.find((row) => row.part && row.name === databasePart(owner))?.perUnitMs,
  );
  return parts.every((ms) => ms !== undefined)
    ? parts.reduce<number>((sum, ms) => sum + (ms ?? 0), 0)
    : undefined;
}

/** What one saga mode measured, for its own section and the comparison. */
interface ModeResult {
  mode: SagaMode;
  sagasPerSecond: number;
  saturationStatuses: Map<string, number>;
  cpuUsed: CpuUsage;
  cpuMissing: string[];
  loadAfterSaturation: string;
  /** [share, offered, orders, p50, p95, p99, max send lag, outcomes] per rate. */
  latencyRows: string[][];
  /** Records appended per completed saga to each of the system's topics during saturation. */
  recordsPerSaga: Map<string, number>;
  relay?: RelayResult;
}

/** Sum of the end offsets of each of `topics`, by topic. */
async function topicTotals(system: SagaSystem, topics: readonly string[]): Promise<Map<string, bigint>> {
  const admin = system.kafka('saga-bench-offsets').admin();
  await admin.connect();
  try {
    const totals = new Map<string, bigint>();
    for (const topic of topics) {
      const ends = await admin.fetchEndOffsets(topic);
      totals.set(
        topic,
        ends.reduce((sum, p) => sum + BigInt(p.offset), 0n),
      );
    }
    return totals;
  } finally {
    await admin.disconnect();
  }
}

/** Starts a system in `mode`, measures saturation, CPU, records and latency (and the relay if asked), stops it. */
async function measureMode(
  infra: TestInfrastructure,
  options: BenchOptions,
  mode: SagaMode,
  withRelay: boolean,
): Promise<ModeResult> {
  progress(`${mode}: starting the system (${DATABASE_OWNERS.length} databases, ${SERVICES.length} services)`);
  const system = await SagaSystem.start({ sagaMode: mode });
  const topics: string[] = [];
  const probe = new OrderOutcomeProbe(system.kafka('saga-bench-probe'));
  const outboxes = OUTBOX_OWNERS.map((owner) => new Client({ connectionString: system.database(owner).url }));
  try {
    await Promise.all(outboxes.map((db) => db.connect()));
    await seed(system, options);
    const cpu = await cpuTargets(system, infra);
    for (const line of cpu.missing) progress(`CPU per saga: not measured: ${line}`);
    const ends = await system.endOffsets();
    const startOffsets = new Map(
      Object.entries(ends)
        .filter(([key]) => key.startsWith('orders.events/'))
        .map(([key, offset]) => [Number(key.split('/')[1]), offset]),
    );
    await probe.start(startOffsets);
    let next = 0;

    progress(`${mode}: warm-up: ${WARM_UP_ORDERS} orders`);
    await settle(probe, await postBounded(system, options, next, WARM_UP_ORDERS, 8), 'the warm-up');
    next += WARM_UP_ORDERS;

    await waitUntilQuiet(system, outboxes);

    progress(`${mode}: saturation: ${options.orders} orders, ${options.concurrency} in flight`);
    const recordsBefore = await topicTotals(system, SYSTEM_TOPICS);
    const cpuAtStart = takeCpuSnapshot(cpu.targets);
    const saturationStart = performance.now();
    const saturationPlaced = await postBounded(system, options, next, options.orders, options.concurrency);
    next += options.orders;
    const saturation = await settle(probe, saturationPlaced, 'the saturation phase');
    const sagasPerSecond = options.orders / ((saturation.lastAt - saturationStart) / 1_000);
    await waitUntilQuiet(system, outboxes);
    const cpuUsed = cpuUsage(
      cpuAtStart,
      takeCpuSnapshot(cpu.targets),
      saturation.latenciesMs.length,
      clockTicksPerSecond(),
    );
    const recordsAfter = await topicTotals(system, SYSTEM_TOPICS);
    const recordsPerSaga = new Map(
      SYSTEM_TOPICS.map((topic) => [
        topic,
        Number((recordsAfter.get(topic) ?? 0n) - (recordsBefore.get(topic) ?? 0n)) / options.orders,
      ]),
    );
    const loadAfterSaturation = loadAverage();
    progress(
      `${mode}: saturation: ${sagasPerSecond.toFixed(1)} sagas/s; CPU ms per saga: ${cpuUsed.rows
        .filter((row) => !row.part)
        .map((row) => `${row.name} ${optional(row.perUnitMs, (n) => n.toFixed(2))}`)
        .join(', ')}`,
    );

    const latencyRows: string[][] = [];
    for (const share of [0.25, 0.5, 0.8]) {
      const offered = sagasPerSecond * share;
      const count = Math.max(1, Math.round(offered * options.rateSeconds));
      progress(`${mode}: latency: ${count} orders at ${offered.toFixed(1)} orders/s (${share * 100} %)`);
      const { placed, maxLagMs } = await postAtRate(system, options, next, offered, count);
      next += count;
      const outcome = await settle(probe, placed, `the ${share * 100} % phase`);
      latencyRows.push([
        `${share * 100}%`,
        offered.toFixed(1),
        String(count),
        ms(percentile(outcome.latenciesMs, 0.5)),
        ms(percentile(outcome.latenciesMs, 0.95)),
        ms(percentile(outcome.latenciesMs, 0.99)),
        ms(maxLagMs),
        statusText(outcome.statuses),
      ]);
    }

    // The latency phase ends when every order's terminal event is seen; the read side and the
    // compensations may still be working. The relay is timed on a quiet system, like the raw producer.
    let relay: RelayResult | undefined;
    if (withRelay) {
      await waitUntilQuiet(system, outboxes);
      relay = await relayPhase(system, options, topics);
    }
    return {
      mode,
      sagasPerSecond,
      saturationStatuses: saturation.statuses,
      cpuUsed,
      cpuMissing: cpu.missing,
      loadAfterSaturation,
      latencyRows,
      recordsPerSaga,
      ...(relay ? { relay } : {}),
    };
  } finally {
    await Promise.all(outboxes.map((db) => db.end().catch(() => undefined)));
    await probe.stop().catch((error: unknown) => progress(`could not stop the probe: ${String(error)}`));
    if (topics.length > 0) {
      const admin = system.kafka('saga-bench-cleanup').admin();
      await admin.connect();
      await admin
        .deleteTopics(topics)
        .catch((error: unknown) => progress(`could not delete ${topics.join(', ')}: ${String(error)}`));
      await admin.disconnect();
    }
    progress(`${mode}: stopping the services and dropping their databases`);
    await system.dispose();
  }
}

function reportMode(result: ModeResult, options: BenchOptions, pgRate: number, loadAtStart: string): void {
  const { mode, sagasPerSecond, cpuUsed, relay } = result;
  out(`### Saga mode: ${mode}`);
  out();
  out('#### Throughput');
  out();
  const rows: string[][] = [
    [
      `completed sagas/s at saturation (${options.orders} orders, ${options.concurrency} in flight: ${statusText(result.saturationStatuses)})`,
      sagasPerSecond.toFixed(1),
    ],
    [`PostgreSQL commits/s (single-row INSERT, ${PG_CONNECTIONS} connections)`, rate(pgRate)],
    ['sagas/s ÷ PostgreSQL commits/s', (sagasPerSecond / pgRate).toFixed(4)],
    [
      'Kafka records per saga (every topic of the manifest, saturation phase)',
      sumRecords(result.recordsPerSaga).toFixed(2),
    ],
  ];
  if (relay) {
    rows.push(
      [
        `relay events/s (${options.relayEvents} outbox rows copied from ${relay.sourceRows} saga rows)`,
        rate(relay.relayRate),
      ],
      [
        `raw producer events/s (kafkajs adapter, acks=all, idempotent, batches of ${RELAY_BATCH_SIZE})`,
        rate(relay.rawRate),
      ],
      ['relay ÷ raw producer', (relay.relayRate / relay.rawRate).toFixed(2)],
    );
  }
  for (const line of table(['measure', 'value'], rows)) out(line);
  out();
  out('#### CPU per completed saga, saturation phase');
  out();
  out(
    `${cpuUsed.units} sagas; CPU sampled from /proc (utime+stime; a process tree with the children it reaped) ` +
      `from the first POST until the system was quiet again (outboxes published, groups caught up), ` +
      `${(cpuUsed.wallMs / 1_000).toFixed(1)} s; the machine's CPUs were ${(cpuUsed.machineUtilisation * 100).toFixed(0)} % busy. ` +
      `Load average (1 / 5 / 15 min): ${loadAtStart} at the start of the run, ${result.loadAfterSaturation} after saturation.`,
  );
  if (result.cpuMissing.length > 0) out(`Not measured: ${result.cpuMissing.join('; ')}.`);
  out();
  for (const line of table(
    ['process', 'pid', 'CPU ms', 'CPU ms per saga', 'share of machine CPU'],
    cpuRows(cpuUsed),
  ))
    out(line);
  const sagaDatabases = sagaDatabasesPerSaga(cpuUsed);
  if (sagaDatabases !== undefined) {
    out();
    out(
      `PostgreSQL on the saga's own databases (${SAGA_DATABASE_OWNERS.join(', ')}; the scope of issue 8's ` +
        `measurement, which predates the read side): ${sagaDatabases.toFixed(2)} ms per saga.`,
    );
  }
  out();
  out(`#### Latency, POST /orders → terminal event (open-loop arrivals, ${options.rateSeconds} s per rate)`);
  out();
  for (const line of table(
    [
      'share of saturation',
      'offered orders/s',
      'orders',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max send lag ms',
      'outcomes',
    ],
    result.latencyRows,
  ))
    out(line);
  out();
}

const sumRecords = (perTopic: Map<string, number>): number =>
  [...perTopic.values()].reduce((sum, n) => sum + n, 0);

/** Both modes side by side: what `--saga both` is for. */
function reportComparison(results: readonly ModeResult[]): void {
  out('### Choreography vs orchestration, same machine, same run');
  out();
  const column = (result: ModeResult, pick: (r: ModeResult) => string) => pick(result);
  const latency = (share: number, col: number) => (r: ModeResult) =>
    r.latencyRows.find((row) => row[0] === `${share * 100}%`)?.[col] ?? 'n/a';
  const perSaga = (name: string) => (r: ModeResult) =>
    optional(r.cpuUsed.rows.find((row) => !row.part && row.name === name)?.perUnitMs, (n) => n.toFixed(2));
  const rows: [string, (r: ModeResult) => string][] = [
    ['completed sagas/s at saturation', (r) => r.sagasPerSecond.toFixed(1)],
  ];
  for (const share of [0.25, 0.5, 0.8]) {
    rows.push([
      `p50 / p95 / p99 ms at ${share * 100} % of that mode's saturation`,
      (r) => `${latency(share, 3)(r)} / ${latency(share, 4)(r)} / ${latency(share, 5)(r)}`,
    ]);
  }
  rows.push(['Kafka records per saga, every topic', (r) => sumRecords(r.recordsPerSaga).toFixed(2)]);
  for (const topic of SYSTEM_TOPICS) {
    if (results.every((r) => (r.recordsPerSaga.get(topic) ?? 0) === 0)) continue;
    rows.push([`↳ ${topic}`, (r) => (r.recordsPerSaga.get(topic) ?? 0).toFixed(2)]);
  }
  const processes = results[0]?.cpuUsed.rows.filter((row) => !row.part).map((row) => row.name) ?? [];
  for (const name of processes) rows.push([`CPU ms per saga: ${name}`, perSaga(name)]);
  for (const line of table(
    ['measure', ...results.map((r) => r.mode)],
    rows.map(([label, pick]) => [label, ...results.map((r) => column(r, pick))]),
  ))
    out(line);
  out();
  const [baseline, other] = results;
  if (baseline && other) {
    out(
      `${other.mode} ÷ ${baseline.mode}, completed sagas/s at saturation: ` +
        `${(other.sagasPerSecond / baseline.sagasPerSecond).toFixed(2)}`,
    );
    out();
  }
}

async function run(infra: TestInfrastructure, options: BenchOptions): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  progress(`PostgreSQL: single-row INSERT commits on ${PG_CONNECTIONS} connections`);
  const pgDb = await createTestDatabase(infra.postgresUrl, 'bench_saga_pg');
  let pgRate: number;
  let postgresVersion = infra.versions.postgres;
  try {
    const versionClient = new Client({ connectionString: pgDb.url });
    await versionClient.connect();
    // An environment-provided stack does not report versions; the server does.
    postgresVersion =
      (await versionClient.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]
        ?.v ?? postgresVersion;
    await versionClient.end();
    pgRate = await measurePgCommitRate({
      databaseUrl: pgDb.url,
      connections: PG_CONNECTIONS,
      warmUpMs: 1_000,
      durationMs: options.pgSeconds * 1_000,
      // Shaped like a small outbox/inbox row: a primary key and a short text value.
      setupSql:
        'CREATE TABLE IF NOT EXISTS bench_commits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL)',
      insertSql: 'INSERT INTO bench_commits (note) VALUES ($1)',
      parameters: (_connection, sequence) => [`row-${sequence}`],
    });
  } finally {
    await pgDb.drop();
  }

  // One system per mode, one after the other; the relay (which does not depend on the mode) with the first.
  const results: ModeResult[] = [];
  for (const [i, mode] of options.sagaModes.entries()) {
    results.push(await measureMode(infra, options, mode, i === 0));
  }

  out(`## System benchmark, ${new Date().toISOString()}`);
  out();
  out(machineLine());
  out(
    `Infrastructure (${infra.source}): ${infra.versions.kafka === 'unknown' ? 'Kafka version not reported' : `Kafka ${infra.versions.kafka}`}, PostgreSQL ${postgresVersion}; ` +
      `the ${SERVICES.length} services, Kafka, the registry and PostgreSQL all on this machine`,
  );
  out(
    `Load: ${options.customers} customers, ${SKUS.length} SKUs, one line per order; ${WARM_UP_ORDERS} warm-up orders ` +
      'first; completion = the terminal event on orders.events (consumed, not polled); ' +
      `saga mode${results.length > 1 ? 's' : ''}: ${results.map((r) => r.mode).join(', then ')}, each on a fresh system`,
  );
  out();
  if (results.length > 1) reportComparison(results);
  for (const result of results) reportMode(result, options, pgRate, loadAtStart);
  out(`Run took ${((Date.now() - started) / 1_000).toFixed(0)} s.`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const root = resolve(__dirname, '..', '..');
  const missing = SERVICES.filter((app) => !existsSync(resolve(root, 'apps', app, 'dist', 'main.js')));
  if (missing.length > 0) {
    throw new Error(`Not built: ${missing.join(', ')} (no dist/main.js). Run \`npm run build\` first.`);
  }
  const provided = await provideInfrastructure({ log: (line) => progress(`[infra] ${line}`) });
  // SagaSystem reads the infrastructure from the environment, as under the e2e jest setup.
  Object.assign(process.env, infrastructureToEnv(provided.infra));
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
