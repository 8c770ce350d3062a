/**
 * What the saga's idempotency and ordering are for, tested from outside: duplicates injected straight into
 * the contract topics (same `ce_id`: the inboxes skip them; new `ce_id`: the state machines refuse them),
 * and two outbox relays running at once, the leader killed midway (per-order order kept, nothing lost,
 * repeats only of the kind the inbox absorbs).
 *
 * One system for the file (see support/saga-system.ts); the tests assert about their own orders only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serviceEnv, startService, type ServiceProcess } from '@orderstream/demo';
import { SAGA_MODES } from '@orderstream/system';
import { freePort } from '@orderstream/testing';
import type { ConsumedRecord, OutgoingRecord } from '@orderstream/messaging';
import { CE_ID, eventName, expectedEvents, keyOf } from './support/saga-events';
import {
  expectLedgerMovedOncePerConfirmedOrder,
  expectOutboxesHoldEachEventOnce,
  expectTopicsCarryEachEventInOrder,
  readLedger,
} from './support/saga-invariants';
import { SAGA_TOPICS, SagaSystem, type OrderStatus, type OrderView } from './support/saga-system';

describe.each(SAGA_MODES)('the saga (%s) under duplicates and concurrent relays', (sagaMode) => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start({ sagaMode });
  }, 120_000);

  afterAll(async () => {
    await system?.dispose();
  });

  /** Every fact a duplicate could change, for the given orders. */
  async function snapshot(orderIds: string[]) {
    const outboxCount = async (owner: 'orders' | 'payments' | 'inventory') =>
      (await system.query<{ n: string }>(owner, 'SELECT count(*) AS n FROM messaging_outbox'))[0]?.n;
    return {
      orders: await Promise.all(orderIds.map((id) => system.order(id))),
      payments: await Promise.all(orderIds.map((id) => system.payment(id))),
      credit: await Promise.all(['customer-2', 'customer-4'].map((c) => system.customer(c))),
      stock: await Promise.all(['SKU-RED-MUG', 'SKU-LIMITED'].map((s) => system.stock(s))),
      stockOrders: await system.query(
        'inventory',
        'SELECT order_id, status FROM stock_orders WHERE order_id = ANY($1) ORDER BY order_id',
        [orderIds],
      ),
      reservations: await system.query(
        'inventory',
        'SELECT order_id, sku, quantity, status FROM reservations WHERE order_id = ANY($1) ORDER BY order_id, sku',
        [orderIds],
      ),
      outbox: {
        orders: await outboxCount('orders'),
        payments: await outboxCount('payments'),
        inventory: await outboxCount('inventory'),
      },
    };
  }

  async function inboxSizes(): Promise<Record<'orders' | 'payments' | 'inventory', number>> {
    const size = async (owner: 'orders' | 'payments' | 'inventory') =>
      Number(
        (
          await system.query<{ n: string }>(
            owner,
            'SELECT count(*) AS n FROM messaging_inbox WHERE consumer_group = $1',
            [owner],
          )
        )[0]?.n,
      );
    return {
      orders: await size('orders'),
      payments: await size('payments'),
      inventory: await size('inventory'),
    };
  }

  it('changes nothing when events are injected again, with the same ce_id or a new one', async () => {
    const placed = await Promise.all([
      system.placeOrder({ customerId: 'customer-2', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] }),
      // customer-4 has 50.00 of credit; five mugs cost 60.00.
      system.placeOrder({ customerId: 'customer-4', items: [{ sku: 'SKU-RED-MUG', quantity: 5 }] }),
      system.placeOrder({ customerId: 'customer-2', items: [{ sku: 'SKU-LIMITED', quantity: 11 }] }),
    ]);
    const ids = placed.map((o) => o.id);
    const settled = await Promise.all(ids.map((id) => system.waitForOrder(id)));
    expect(settled.map((o) => [o.status, o.history.at(-1)?.reason])).toEqual([
      ['CONFIRMED', null],
      ['REJECTED', 'insufficient-credit'],
      ['CANCELLED', 'out-of-stock'],
    ]);
    await system.waitForPayment(ids[2] ?? '', 'REFUNDED');
    // Everything the three sagas caused has been published and handled (OrderCancelled by payments and
    // inventory included) before the "before" picture is taken.
    await system.waitForOutboxesDrained();
    await system.waitForGroupsCaughtUp();
    const before = await snapshot(ids);
    const endsBefore = await system.endOffsets();
    const inboxBefore = await inboxSizes();

    const originals = await system.readEvents(ids);
    expect(originals.map((r) => `${keyOf(r)} ${eventName(r)}`).sort()).toEqual(
      settled
        .flatMap((o) =>
          Object.values(expectedEvents(o, sagaMode)).flatMap((names) => names.map((n) => `${o.id} ${n}`)),
        )
        .sort(),
    );

    // Byte-for-byte copies first (the inboxes know their ce_id), then the same events under a new ce_id
    // (a second PaymentAuthorized, StockReserved, StockRejected, OrderPlaced...: the state machines refuse).
    const copy = (record: ConsumedRecord, newId: boolean): OutgoingRecord => {
      const headers: Record<string, Buffer> = {};
      for (const [name, value] of Object.entries(record.headers)) if (value) headers[name] = value;
      if (newId) headers[CE_ID] = Buffer.from(randomUUID());
      return { key: record.key, value: record.value, headers };
    };
    const producer = system.kafka('saga-e2e-injector').producer();
    await producer.connect();
    try {
      for (const topic of SAGA_TOPICS) {
        const ofTopic = originals.filter((r) => r.topic === topic);
        await producer.send(topic, [
          ...ofTopic.map((r) => copy(r, false)),
          ...ofTopic.map((r) => copy(r, true)),
        ]);
      }
    } finally {
      await producer.disconnect();
    }

    const endsAfterInjection = await system.waitForGroupsCaughtUp();
    const injected = Object.entries(endsAfterInjection).reduce(
      (sum, [key, end]) => sum + Number(BigInt(end) - BigInt(endsBefore[key] ?? '0')),
      0,
    );
    expect(injected).toBe(2 * originals.length);

    expect(await snapshot(ids)).toEqual(before);
    // No outbox row was written, so nothing new can reach the topics beyond what was injected.
    expect(await system.endOffsets()).toEqual(endsAfterInjection);
    // The copies with a new ce_id were handled (not parked in a retry topic): each group's inbox gained one
    // row per copy of a type it handles, the byte-for-byte copies none (their ce_id was there already).
    expect(await inboxSizes()).toEqual(
      sagaMode === 'choreography'
        ? {
            orders: inboxBefore.orders + 3, // StockReserved, StockRejected, PaymentDeclined
            payments: inboxBefore.payments + 5, // OrderPlaced ×3, StockRejected, OrderCancelled
            inventory: inboxBefore.inventory + 3, // PaymentAuthorized ×2, OrderCancelled
          }
        : {
            // Every reply: PaymentAuthorized ×2, PaymentDeclined, PaymentRefunded, StockReserved, StockRejected
            orders: inboxBefore.orders + 6,
            payments: inboxBefore.payments + 4, // AuthorizePayment ×3, RefundPayment
            inventory: inboxBefore.inventory + 2, // ReserveStock ×2
          },
    );
    if (sagaMode === 'orchestration') {
      // The replies under a new ce_id still name the command they answer; its saga has ended, so nothing moved.
      expect(
        await system.query('orders', 'SELECT id, status FROM saga_instances WHERE id = ANY($1) ORDER BY id', [
          ids,
        ]),
      ).toEqual(
        ids
          .map((id, i) => ({ id, status: i === 0 ? 'completed' : 'compensated' }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
  }, 120_000);

  describe('two relays at once', () => {
    let secondRelay: ServiceProcess | undefined;

    afterAll(async () => {
      expect(await secondRelay?.stop()).toBe(0);
    });

    it('keeps every order in its sequence, loses nothing and repeats only what the inbox absorbs', async () => {
      // The system's relay started alone, so it leads every source; wait until it holds all three locks.
      await system.until('the first relay to lead every source', async () => {
        for (const owner of ['orders', 'payments', 'inventory'] as const) {
          const locks = await system.query(
            owner,
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
          if (locks.length === 0) return false;
        }
        return true;
      });
      const port = await freePort();
      secondRelay = await startService({
        name: 'outbox-relay',
        port,
        env: {
          ...serviceEnv('outbox-relay', port, system.serviceEndpoints()),
          OUTBOX_POLL_INTERVAL_MS: '200',
        },
        workspaceRoot: resolve(__dirname, '..', '..'),
        logDir: mkdtempSync(join(tmpdir(), 'orderstream-second-relay-')),
      });

      const before = await readLedger(
        system,
        ['customer-1', 'customer-2', 'customer-4'],
        ['SKU-LIMITED', 'SKU-RED-MUG'],
      );
      const limitedUnits = before.stock['SKU-LIMITED']?.available;
      // 100 orders: mostly confirmed mugs; every 5th asks for one of the 10 limited units (some are then
      // cancelled out of stock, or refused at once once orders' stock replica shows them sold out); every
      // 7th is customer-4's five mugs, beyond its credit (rejected).
      const bodyOf = (i: number) =>
        i % 7 === 0
          ? { customerId: 'customer-4', items: [{ sku: 'SKU-RED-MUG', quantity: 5 }] }
          : {
              customerId: i % 2 === 0 ? 'customer-1' : 'customer-2',
              items: [{ sku: i % 5 === 0 ? 'SKU-LIMITED' : 'SKU-RED-MUG', quantity: 1 }],
            };
      const firstHalf = await Promise.all(
        Array.from({ length: 50 }, (_, i) => system.placeOrderUnlessSoldOut(bodyOf(i))),
      );
      // Kill the leader while the first half is in flight; the follower must take over every source.
      await system.killOne('outbox-relay', 'SIGKILL');
      const secondHalf = await Promise.all(
        Array.from({ length: 50 }, (_, i) => system.placeOrderUnlessSoldOut(bodyOf(50 + i))),
      );
      const answers = [...firstHalf, ...secondHalf];
      const placed = answers.filter((o): o is OrderView => o !== undefined);
      // Only limited orders may be refused, and only once the replica saw every limited unit reserved.
      const refused = answers.flatMap((o, i) => (o === undefined ? [i] : []));
      expect(refused.filter((i) => i % 5 !== 0 || i % 7 === 0)).toEqual([]);
      const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id, undefined, 120_000)));
      await Promise.all(
        settled
          .filter((o) => o.status === 'CANCELLED')
          .map((o) => system.waitForPayment(o.id, 'REFUNDED', 120_000)),
      );
      await system.waitForOutboxesDrained();
      await system.waitForGroupsCaughtUp();

      const counts = (status: OrderStatus) => settled.filter((o) => o.status === status).length;
      const limitedOrders = settled.filter((o) => o.lines[0]?.sku === 'SKU-LIMITED');
      expect(counts('REJECTED')).toBe(answers.filter((_, i) => i % 7 === 0).length);
      expect(limitedOrders.filter((o) => o.status === 'CONFIRMED')).toHaveLength(limitedUnits ?? -1);
      expect(limitedOrders.length + refused.length).toBe(
        answers.filter((_, i) => i % 5 === 0 && i % 7 !== 0).length,
      );
      expect(counts('CONFIRMED') + counts('REJECTED') + counts('CANCELLED')).toBe(100 - refused.length);

      // Nothing lost, nothing applied twice, per-order order kept, whatever the relays repeated.
      const delivery = await expectTopicsCarryEachEventInOrder(system, settled);
      await expectOutboxesHoldEachEventOnce(system, settled);
      await expectLedgerMovedOncePerConfirmedOrder(system, before, settled);
      // For the report: how many repeats the kill caused (zero is fine: the leader may die between batches).
      process.stdout.write(`two relays: ${delivery.records} records, ${delivery.repeats} relay repeats\n`);
    }, 300_000);
  });
});
