/**
 * The saga's invariants, checked for a set of settled orders after the system has gone quiet (outboxes
 * drained, groups caught up). Shared by the tests that disturb the system (duplicates, a second relay,
 * crashes), because "nothing lost, nothing applied twice" must mean the same thing in each of them:
 *
 * - the ledger: credit and stock moved exactly once per confirmed order and line, and not at all for the
 *   others (compensations included);
 * - the outboxes: each service wrote each of an order's events exactly once; a handler that ran twice for
 *   one event would have written its outcome twice;
 * - the topics: each order's events arrived in outbox sequence order, none missing; the only repeats are
 *   byte-identical re-publishes of one outbox row (same `ce_id`), which the inboxes absorb.
 */
import type { ConsumedRecord } from '@orderstream/messaging';
import { CE_ID, eventName, expectedEvents, headerText, keyOf } from './saga-events';
import { type DatabaseOwner, type OrderView, type SagaSystem, type StockLevelView } from './saga-system';

const OWNERS: readonly DatabaseOwner[] = ['orders', 'payments', 'inventory'];

/** Reserved credit per customer and stock per SKU: what the saga moves. */
export interface Ledger {
  reservedCents: Record<string, number>;
  stock: Record<string, StockLevelView>;
}

/** The ledger of `customers` and `skus` now, read through the payments and inventory APIs. */
export async function readLedger(
  system: SagaSystem,
  customers: readonly string[],
  skus: readonly string[],
): Promise<Ledger> {
  const credit = await Promise.all(customers.map((c) => system.customer(c)));
  const stock = await Promise.all(skus.map((s) => system.stock(s)));
  return {
    reservedCents: Object.fromEntries(credit.map((c) => [c.customerId, c.reservedCents])),
    stock: Object.fromEntries(stock.map((s) => [s.sku, s])),
  };
}

/**
 * Expects the ledger to have moved from `before` by exactly the confirmed orders among `settled` (and
 * nothing else ran against these customers and SKUs meanwhile): reserved credit grew by their totals per
 * customer, each SKU's stock by their quantities, and inventory holds exactly their lines.
 */
export async function expectLedgerMovedOncePerConfirmedOrder(
  system: SagaSystem,
  before: Ledger,
  settled: readonly OrderView[],
): Promise<void> {
  const confirmed = settled.filter((o) => o.status === 'CONFIRMED');
  const expected: Ledger = structuredClone(before);
  for (const order of confirmed) {
    expected.reservedCents[order.customerId] =
      (expected.reservedCents[order.customerId] ?? 0) + order.totalCents;
    for (const line of order.lines) {
      const level = expected.stock[line.sku];
      if (!level) throw new Error(`SKU ${line.sku} of order ${order.id} is not in the ledger`);
      level.available -= line.quantity;
      level.reserved += line.quantity;
    }
  }
  expect(await readLedger(system, Object.keys(before.reservedCents), Object.keys(before.stock))).toEqual(
    expected,
  );

  const held = await system.query<{ order_id: string; sku: string; quantity: number }>(
    'inventory',
    `SELECT order_id, sku, quantity FROM reservations
      WHERE order_id = ANY($1) AND status = 'RESERVED' ORDER BY order_id, sku`,
    [settled.map((o) => o.id)],
  );
  const byOrderAndSku = (a: { order_id: string; sku: string }, b: { order_id: string; sku: string }) =>
    a.order_id === b.order_id ? a.sku.localeCompare(b.sku) : a.order_id < b.order_id ? -1 : 1;
  expect(held).toEqual(
    confirmed
      .flatMap((o) => o.lines.map((l) => ({ order_id: o.id, sku: l.sku, quantity: l.quantity })))
      .sort(byOrderAndSku),
  );
}

/**
 * Expects every service's outbox to hold, for each of `settled`, exactly the events its final state
 * implies, each once, in the order they happen.
 */
export async function expectOutboxesHoldEachEventOnce(
  system: SagaSystem,
  settled: readonly OrderView[],
): Promise<void> {
  const written = new Map<string, string[]>();
  for (const owner of OWNERS) {
    const rows = await system.query<{ key: string; topic: string; event_type: string }>(
      owner,
      'SELECT key, topic, event_type FROM messaging_outbox WHERE key = ANY($1) ORDER BY sequence',
      [settled.map((o) => o.id)],
    );
    for (const row of rows) {
      const at = `${row.key} ${row.topic}`;
      written.set(at, [...(written.get(at) ?? []), row.event_type.split('.').pop() ?? '']);
    }
  }
  const mismatches: unknown[] = [];
  for (const order of settled) {
    for (const [topic, names] of Object.entries(expectedEvents(order, system.sagaMode))) {
      const actual = written.get(`${order.id} ${topic}`) ?? [];
      if (actual.join() !== names.join())
        mismatches.push({ order: order.id, topic, expected: names, actual });
    }
  }
  // One list, so a failure shows every order that went wrong rather than the first.
  expect(mismatches).toEqual([]);
}

/** What reading the topics found beyond the expected events. */
export interface DeliveryReport {
  records: number;
  /** Byte-identical re-publishes of an outbox row (relay crash or failover between send and mark). */
  repeats: number;
}

/**
 * Reads the saga topics and expects, per order and topic, the first arrival of each event in outbox
 * sequence order and exactly the events the final state implies; every repeat of a `ce_id` must be the
 * same record (key, topic, bytes) again.
 */
export async function expectTopicsCarryEachEventInOrder(
  system: SagaSystem,
  settled: readonly OrderView[],
): Promise<DeliveryReport> {
  const ids = settled.map((o) => o.id);
  const records = await system.readEvents(ids);
  const outboxOrder = new Map<string, string[]>();
  for (const owner of OWNERS) {
    const rows = await system.query<{ key: string; topic: string; message_id: string }>(
      owner,
      'SELECT key, topic, message_id FROM messaging_outbox WHERE key = ANY($1) ORDER BY sequence',
      [ids],
    );
    for (const row of rows) {
      const at = `${row.key} ${row.topic}`;
      outboxOrder.set(at, [...(outboxOrder.get(at) ?? []), row.message_id]);
    }
  }

  const byCeId = new Map<string, ConsumedRecord[]>();
  for (const record of records) {
    const id = headerText(record, CE_ID);
    byCeId.set(id, [...(byCeId.get(id) ?? []), record]);
  }
  let repeats = 0;
  const differingRepeats: string[] = [];
  for (const [id, [first, ...rest]] of byCeId) {
    repeats += rest.length;
    for (const again of rest) {
      const same =
        first !== undefined &&
        keyOf(again) === keyOf(first) &&
        again.topic === first.topic &&
        (again.value?.equals(first.value ?? Buffer.alloc(0)) ?? first.value === null);
      if (!same) differingRepeats.push(id);
    }
  }
  expect(differingRepeats).toEqual([]);

  const mismatches: unknown[] = [];
  for (const order of settled) {
    // The saga's three topics. notifications.events is keyed by order id too, but its events follow the
    // saga's end a moment later (asserted exactly once by notifications-work-queue.e2e.spec.ts), and the
    // stock levels are keyed by SKU.
    for (const topic of Object.keys(expectedEvents(order, system.sagaMode))) {
      const firstArrivals: string[] = [];
      for (const record of records) {
        if (keyOf(record) !== order.id || record.topic !== topic) continue;
        const id = headerText(record, CE_ID);
        if (!firstArrivals.includes(id)) firstArrivals.push(id);
      }
      const names = firstArrivals.map((id) => eventName(byCeId.get(id)?.[0] as ConsumedRecord));
      const expectedIds = outboxOrder.get(`${order.id} ${topic}`) ?? [];
      // A topic the saga does not write to for this outcome (a later service's) expects nothing.
      const expectedNames = expectedEvents(order, system.sagaMode)[topic] ?? [];
      if (firstArrivals.join() !== expectedIds.join() || names.join() !== expectedNames.join()) {
        mismatches.push({ order: order.id, topic, arrived: names, expected: expectedNames });
      }
    }
  }
  expect(mismatches).toEqual([]);
  return { records: records.length, repeats };
}
