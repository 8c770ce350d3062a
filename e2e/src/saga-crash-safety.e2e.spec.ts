/**
 * Crash safety: 500 orders in flight while one service dies with SIGKILL (no shutdown hook runs: open
 * transactions roll back, uncommitted offsets and unmarked outbox rows stay behind) and is started again.
 * One test per service, each on a fresh system, so the outcome of every order is known in advance:
 *
 * | every 10th order, from i % 10 | customer         | items                      | outcome                          |
 * | ----------------------------- | ---------------- | -------------------------- | -------------------------------- |
 * | 0                             | customer-2       | 1 × SKU-LIMITED (10 units) | 10 confirmed, 40 out of stock or |
 * |                               |                  |                            | refused (422, replica sold out)  |
 * | 1                             | customer-5 (0)   | 1 × SKU-RED-MUG            | rejected: insufficient-credit    |
 * | 2                             | unknown          | 1 × SKU-RED-MUG            | rejected: unknown-customer       |
 * | 3, 4                          | customer-3 (1000)| 1 × SKU-RED-MUG (12.00)    | 83 confirmed, 17 insufficient    |
 * | 5, 6, 7                       | customer-1       | SKU-RED-MUG + SKU-TEE-M    | confirmed                        |
 * | 8, 9                          | customer-1       | 2 × SKU-BLUE-MUG + POSTER  | confirmed                        |
 *
 * The saga deadline is set beyond the test, so that only the crash is in play (the deadline's own
 * compensations are tested in order-saga.e2e.spec.ts); a crashed consumer's group waits for the dead
 * member's session to expire (30 s by default) before its partitions move, longer than the 30 s default
 * deadline.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceName } from '@orderstream/demo';
import { SAGA_MODES, type SagaMode } from '@orderstream/system';
import { waitFor } from '@orderstream/testing';
import {
  expectLedgerMovedOncePerConfirmedOrder,
  expectOutboxesHoldEachEventOnce,
  expectTopicsCarryEachEventInOrder,
  readLedger,
} from './support/saga-invariants';
import {
  isStockUnavailable,
  SagaSystem,
  type OrderStatus,
  type OrderView,
  type PlaceOrderBody,
} from './support/saga-system';

const ORDERS = 500;
/** Orders placed from the start; the rest are placed from the moment of the kill on. */
const FIRST_WAVE = 250;
/**
 * Settled orders before the kill: every service has been at work for a while (each one is on the path of
 * every settled order), and most orders are still in flight.
 */
const KILL_WHEN_SETTLED = 50;
/** Concurrent HTTP clients placing orders. */
const CLIENTS = 20;
/** Long enough for a restart, the dead member's session to expire and the backlog to drain. */
const SETTLE_TIMEOUT_MS = 240_000;

const CUSTOMERS = ['customer-1', 'customer-2', 'customer-3', 'customer-4', 'customer-5'] as const;
const SKUS = ['SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEE-M', 'SKU-POSTER', 'SKU-LIMITED'] as const;

function bodyOf(i: number): PlaceOrderBody {
  switch (i % 10) {
    case 0:
      return { customerId: 'customer-2', items: [{ sku: 'SKU-LIMITED', quantity: 1 }] };
    case 1:
      return { customerId: 'customer-5', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] };
    case 2:
      return { customerId: 'customer-unknown', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] };
    case 3:
    case 4:
      return { customerId: 'customer-3', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] };
    case 8:
    case 9:
      return {
        customerId: 'customer-1',
        items: [
          { sku: 'SKU-BLUE-MUG', quantity: 2 },
          { sku: 'SKU-POSTER', quantity: 1 },
        ],
      };
    default:
      return {
        customerId: 'customer-1',
        items: [
          { sku: 'SKU-RED-MUG', quantity: 1 },
          { sku: 'SKU-TEE-M', quantity: 1 },
        ],
      };
  }
}

/**
 * Final status and reason → number of orders, as the table above predicts for 500 orders, of which
 * `refused` limited ones were refused at once: orders' stock replica had seen the 10 units reserved.
 */
function expectedOutcomes(refused: number): Record<string, number> {
  return {
    ...(refused < 40 ? { 'CANCELLED out-of-stock': 40 - refused } : {}),
    'CONFIRMED -': 10 + 83 + 250,
    'REJECTED insufficient-credit': 50 + 17,
    'REJECTED unknown-customer': 50,
  };
}

const outcomeOf = (order: OrderView) => `${order.status} ${order.history.at(-1)?.reason ?? '-'}`;

/** What the victim's crash interrupted, for the report and as a check that it hit a busy system. */
interface AtTheKill {
  accepted: number;
  settled: number;
}

const VICTIMS: readonly ServiceName[] = ['payments', 'inventory', 'orders', 'outbox-relay'];

// Orchestrated, the SIGKILL of orders is the orchestrator's: its saga instances carry on from their rows.
describe.each<[ServiceName, SagaMode]>(
  SAGA_MODES.flatMap((mode) => VICTIMS.map((v): [ServiceName, SagaMode] => [v, mode])),
)('SIGKILL of %s with 500 orders in flight (%s)', (victim, sagaMode) => {
  let system: SagaSystem;
  /** POSTs that had to be repeated (the orders service was unreachable or cut the request off). */
  let retriedPosts = 0;

  beforeAll(async () => {
    system = await SagaSystem.start({
      sagaMode,
      env: { orders: { SAGA_DEADLINE_MS: String(30 * 60_000) } },
      settleTimeoutMs: SETTLE_TIMEOUT_MS,
    });
  }, 120_000);

  afterAll(async () => {
    await system?.dispose();
  });

  /** How many orders have left PENDING: one query on the orders database (500 GETs per poll would be slow). */
  async function settledCount(): Promise<number> {
    const [row] = await system.query<{ n: string }>(
      'orders',
      `SELECT count(*) AS n FROM orders WHERE status <> 'PENDING'`,
    );
    return Number(row?.n);
  }

  /**
   * Places order `i` as a careful client does: the same Idempotency-Key on every attempt, retried while
   * the orders service is unreachable or answers 5xx. A limited order refused as sold out (422
   * `stock-unavailable`) is `undefined`; any other 4xx fails the test at once.
   */
  async function placeWithRetries(i: number, key: string): Promise<OrderView | undefined> {
    let attempts = 0;
    const outcome = await waitFor(
      async () => {
        attempts += 1;
        const response = await system.postOrder(bodyOf(i), key);
        if (response.status === 201 || (response.status >= 400 && response.status < 500)) return response;
        throw new Error(`POST /orders answered ${response.status}`);
      },
      { description: `order ${i} to be accepted`, timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 100 },
    );
    if (attempts > 1) retriedPosts += 1;
    if (i % 10 === 0 && isStockUnavailable(outcome)) return undefined;
    if (outcome.status !== 201) {
      throw new Error(`order ${i}: POST /orders answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
    }
    return outcome.body;
  }

  /** Places orders `from` to `to - 1` with `CLIENTS` concurrent clients, into `accepted`. */
  async function place(
    accepted: (OrderView | undefined)[],
    keys: readonly string[],
    from: number,
    to: number,
  ) {
    let next = from;
    const client = async () => {
      for (let i = next++; i < to; i = next++) accepted[i] = await placeWithRetries(i, keys[i] ?? '');
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
  }

  /**
   * Kills the victim and starts it again: orders at once (its clients are retrying), the others once
   * every order is placed, so that their backlog builds up meanwhile.
   */
  async function crashAndRestart(allPlaced: Promise<unknown>): Promise<AtTheKill> {
    const atTheKill = { accepted: await acceptedCount(), settled: await settledCount() };
    await system.killOne(victim, 'SIGKILL');
    if (victim !== 'orders') await allPlaced;
    await system.startOne(victim);
    return atTheKill;
  }

  async function acceptedCount(): Promise<number> {
    const [row] = await system.query<{ n: string }>('orders', 'SELECT count(*) AS n FROM orders');
    return Number(row?.n);
  }

  it('brings every order to its final state and applies every event exactly once', async () => {
    const before = await readLedger(system, CUSTOMERS, SKUS);
    const keys = Array.from({ length: ORDERS }, () => randomUUID());
    const answers = new Array<OrderView | undefined>(ORDERS);
    const firstWave = place(answers, keys, 0, FIRST_WAVE);
    // Awaited below; this only keeps a failure meanwhile from being reported as unhandled.
    firstWave.catch(() => undefined);
    await system.until(`${KILL_WHEN_SETTLED} orders to settle`, async () => {
      return (await settledCount()) >= KILL_WHEN_SETTLED;
    });
    // The second wave and the kill start together (the first may still be placing), so the crash cuts
    // requests and events off midway.
    const allPlaced = Promise.all([firstWave, place(answers, keys, FIRST_WAVE, ORDERS)]);
    const [atTheKill] = await Promise.all([crashAndRestart(allPlaced), allPlaced]);
    const accepted = answers.filter((order): order is OrderView => order !== undefined);
    const refused = ORDERS - accepted.length;
    const EXPECTED_OUTCOMES = expectedOutcomes(refused);

    await system.until(`all ${accepted.length} orders to settle after the restart of ${victim}`, async () => {
      return (await settledCount()) === accepted.length;
    });
    // The saga ends with payments' refund of an order cancelled out of stock.
    await system.until('every out-of-stock cancellation to be refunded', async () => {
      const [row] = await system.query<{ n: string }>(
        'payments',
        `SELECT count(*) AS n FROM payments WHERE status = 'REFUNDED'`,
      );
      return Number(row?.n) === (EXPECTED_OUTCOMES['CANCELLED out-of-stock'] ?? 0);
    });
    await system.waitForOutboxesDrained();
    await system.waitForGroupsCaughtUp();

    // The kill hit a busy system: orders were accepted and not all settled.
    expect(atTheKill.settled).toBeGreaterThanOrEqual(KILL_WHEN_SETTLED);
    expect(atTheKill.settled).toBeLessThan(ORDERS);

    // One order per Idempotency-Key, even for requests cut off by the crash and retried.
    if (victim === 'orders') expect(retriedPosts).toBeGreaterThan(0);
    const ids = new Set(accepted.map((o) => o.id));
    expect(ids.size).toBe(ORDERS - refused);
    expect(await acceptedCount()).toBe(ORDERS - refused);

    const settled = await Promise.all(accepted.map((o) => system.order(o.id)));
    const outcomes: Record<string, number> = {};
    for (const order of settled) outcomes[outcomeOf(order)] = (outcomes[outcomeOf(order)] ?? 0) + 1;
    expect(outcomes).toEqual(EXPECTED_OUTCOMES);
    // Each order moved once: PENDING, then its final status, never back and never twice.
    const histories = new Set(settled.map((o) => o.history.map((h) => h.status).join(' → ')));
    expect([...histories].sort()).toEqual<string[]>(
      (refused < 40
        ? (['CANCELLED', 'CONFIRMED', 'REJECTED'] satisfies OrderStatus[])
        : (['CONFIRMED', 'REJECTED'] satisfies OrderStatus[])
      ).map((status) => `PENDING → ${status}`),
    );
    const payments = await system.query<{ status: string; n: string }>(
      'payments',
      'SELECT status, count(*) AS n FROM payments GROUP BY status ORDER BY status',
    );
    expect(payments.map((p) => [p.status, Number(p.n)])).toEqual([
      ['AUTHORIZED', 343],
      ['DECLINED', 117],
      ...(refused < 40 ? [['REFUNDED', 40 - refused]] : []),
    ]);

    await expectLedgerMovedOncePerConfirmedOrder(system, before, settled);
    await expectOutboxesHoldEachEventOnce(system, settled);
    const delivery = await expectTopicsCarryEachEventInOrder(system, settled);
    if (sagaMode === 'orchestration') {
      // Every fulfilment saga ended as its order did: completed with the confirmed ones, compensated (at
      // once, or after the refund) with the others.
      const sagas = await system.query<{ status: string; n: string }>(
        'orders',
        'SELECT status, count(*) AS n FROM saga_instances GROUP BY status ORDER BY status',
      );
      expect(sagas.map((row) => [row.status, Number(row.n)])).toEqual([
        ['compensated', ORDERS - refused - 343],
        ['completed', 343],
      ]);
    }
    process.stdout.write(
      `SIGKILL ${victim} (${sagaMode}): at the kill ${atTheKill.accepted} accepted, ${atTheKill.settled} settled; ` +
        `${refused} limited orders refused as sold out; ` +
        `${retriedPosts} POSTs retried, ${delivery.records} records read, ${delivery.repeats} relay repeats\n`,
    );
  }, 600_000);
});
