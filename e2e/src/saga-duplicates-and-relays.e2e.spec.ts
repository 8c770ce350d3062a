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
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serviceEnv, startService, type ServiceProcess } from '@orderstream/demo';
import type { ConsumedRecord, OutgoingRecord } from '@orderstream/messaging';
import {
  SAGA_TOPICS,
  SagaSystem,
  type OrderStatus,
  type OrderView,
  type SagaTopic,
} from './support/saga-system';

const CE_ID = 'ce_id';

const headerText = (record: ConsumedRecord, name: string): string => record.headers[name]?.toString() ?? '';
/** `ce_type` without a namespace prefix, e.g. `OrderPlaced`. */
const eventName = (record: ConsumedRecord): string => headerText(record, 'ce_type').split('.').pop() ?? '';
const keyOf = (record: ConsumedRecord): string => record.key?.toString() ?? '';

/** The events each final state leaves on each topic, in the order they happen. */
function expectedEvents(order: OrderView): Record<SagaTopic, string[]> {
  const reason = order.history.at(-1)?.reason;
  switch (order.status) {
    case 'CONFIRMED':
      return {
        'orders.events': ['OrderPlaced', 'OrderConfirmed'],
        'payments.events': ['PaymentAuthorized'],
        'inventory.events': ['StockReserved'],
      };
    case 'REJECTED':
      return {
        'orders.events': ['OrderPlaced', 'OrderRejected'],
        'payments.events': ['PaymentDeclined'],
        'inventory.events': [],
      };
    case 'CANCELLED':
      if (reason !== 'out-of-stock') throw new Error(`unexpected cancellation reason ${String(reason)}`);
      return {
        'orders.events': ['OrderPlaced', 'OrderCancelled'],
        'payments.events': ['PaymentAuthorized', 'PaymentRefunded'],
        'inventory.events': ['StockRejected'],
      };
    default:
      throw new Error(`order ${order.id} is still ${order.status}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

describe('the saga under duplicates and concurrent relays', () => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start();
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
    await system.until('the outboxes to be drained', async () => {
      for (const owner of ['orders', 'payments', 'inventory'] as const) {
        const rows = await system.query(owner, 'SELECT 1 FROM messaging_outbox WHERE published_at IS NULL');
        if (rows.length > 0) return false;
      }
      return true;
    });
    await system.waitForGroupsCaughtUp();
    const before = await snapshot(ids);
    const endsBefore = await system.endOffsets();
    const inboxBefore = await inboxSizes();

    const originals = await system.readEvents(ids);
    expect(originals.map((r) => `${keyOf(r)} ${eventName(r)}`).sort()).toEqual(
      settled
        .flatMap((o) => Object.values(expectedEvents(o)).flatMap((names) => names.map((n) => `${o.id} ${n}`)))
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
    expect(await inboxSizes()).toEqual({
      orders: inboxBefore.orders + 3, // StockReserved, StockRejected, PaymentDeclined
      payments: inboxBefore.payments + 5, // OrderPlaced ×3, StockRejected, OrderCancelled
      inventory: inboxBefore.inventory + 3, // PaymentAuthorized ×2, OrderCancelled
    });
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

      const creditBefore = new Map(
        await Promise.all(
          ['customer-1', 'customer-2'].map(
            async (c) => [c, (await system.customer(c)).reservedCents] as const,
          ),
        ),
      );
      const limitedBefore = await system.stock('SKU-LIMITED');
      // 100 orders: mostly confirmed mugs; every 5th asks for one of the 10 limited units (some are then
      // cancelled out of stock); every 7th is customer-4's five mugs, beyond its credit (rejected).
      const bodyOf = (i: number) =>
        i % 7 === 0
          ? { customerId: 'customer-4', items: [{ sku: 'SKU-RED-MUG', quantity: 5 }] }
          : {
              customerId: i % 2 === 0 ? 'customer-1' : 'customer-2',
              items: [{ sku: i % 5 === 0 ? 'SKU-LIMITED' : 'SKU-RED-MUG', quantity: 1 }],
            };
      const firstHalf = await Promise.all(Array.from({ length: 50 }, (_, i) => system.placeOrder(bodyOf(i))));
      // Kill the leader while the first half is in flight; the follower must take over every source.
      await system.killOne('outbox-relay', 'SIGKILL');
      const secondHalf = await Promise.all(
        Array.from({ length: 50 }, (_, i) => system.placeOrder(bodyOf(50 + i))),
      );
      const placed = [...firstHalf, ...secondHalf];
      const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id, undefined, 120_000)));
      await Promise.all(
        settled
          .filter((o) => o.status === 'CANCELLED')
          .map((o) => system.waitForPayment(o.id, 'REFUNDED', 120_000)),
      );
      await system.until('the outboxes to be drained', async () => {
        for (const owner of ['orders', 'payments', 'inventory'] as const) {
          if ((await system.query(owner, 'SELECT 1 FROM messaging_outbox WHERE published_at IS NULL')).length)
            return false;
        }
        return true;
      });
      await system.waitForGroupsCaughtUp();

      const counts = (status: OrderStatus) => settled.filter((o) => o.status === status).length;
      const limitedOrders = settled.filter((o) => o.lines[0]?.sku === 'SKU-LIMITED');
      expect(counts('REJECTED')).toBe(placed.filter((_, i) => i % 7 === 0).length);
      expect(limitedOrders.filter((o) => o.status === 'CONFIRMED')).toHaveLength(limitedBefore.available);
      expect(counts('CONFIRMED') + counts('REJECTED') + counts('CANCELLED')).toBe(100);

      // Events per order and topic, compared with the outboxes' sequence order.
      const records = await system.readEvents(settled.map((o) => o.id));
      const outboxOrder = new Map<string, string[]>();
      for (const owner of ['orders', 'payments', 'inventory'] as const) {
        const rows = await system.query<{ key: string; topic: string; message_id: string }>(
          owner,
          'SELECT key, topic, message_id FROM messaging_outbox WHERE key = ANY($1) ORDER BY sequence',
          [settled.map((o) => o.id)],
        );
        for (const row of rows) {
          const k = `${row.key} ${row.topic}`;
          outboxOrder.set(k, [...(outboxOrder.get(k) ?? []), row.message_id]);
        }
      }
      const byCeId = new Map<string, ConsumedRecord[]>();
      for (const record of records) {
        const id = headerText(record, CE_ID);
        byCeId.set(id, [...(byCeId.get(id) ?? []), record]);
      }
      let repeats = 0;
      for (const copies of byCeId.values()) {
        const [first, ...rest] = copies;
        repeats += rest.length;
        // A repeat is a relay re-publishing the same outbox row: same key and bytes.
        for (const again of rest) {
          expect([keyOf(again), again.topic, again.value?.equals(first?.value ?? Buffer.alloc(0))]).toEqual([
            keyOf(first as ConsumedRecord),
            first?.topic,
            true,
          ]);
        }
      }
      for (const order of settled) {
        for (const [topic, names] of Object.entries(expectedEvents(order))) {
          const seen: string[] = [];
          const onTopic = records.filter((r) => keyOf(r) === order.id && r.topic === topic);
          for (const r of onTopic) if (!seen.includes(headerText(r, CE_ID))) seen.push(headerText(r, CE_ID));
          // First arrivals in outbox sequence order, and exactly the events the final state implies.
          expect({ order: order.id, topic, ids: seen }).toEqual({
            order: order.id,
            topic,
            ids: outboxOrder.get(`${order.id} ${topic}`) ?? [],
          });
          expect(seen.map((id) => eventName(byCeId.get(id)?.[0] as ConsumedRecord))).toEqual(names);
        }
      }

      // Business state is exact whatever was repeated: stock and credit moved once per confirmed order.
      expect(await system.stock('SKU-LIMITED')).toEqual({
        sku: 'SKU-LIMITED',
        available: 0,
        reserved: limitedBefore.reserved + limitedBefore.available,
      });
      const reservations = await system.query<{ order_id: string }>(
        'inventory',
        `SELECT order_id FROM reservations WHERE order_id = ANY($1) AND status = 'RESERVED' ORDER BY order_id`,
        [settled.map((o) => o.id)],
      );
      expect(reservations.map((r) => r.order_id)).toEqual(
        settled
          .filter((o) => o.status === 'CONFIRMED')
          .map((o) => o.id)
          .sort(),
      );
      for (const [customer, reserved] of creditBefore) {
        const confirmedTotal = settled
          .filter((o) => o.customerId === customer && o.status === 'CONFIRMED')
          .reduce((sum, o) => sum + o.totalCents, 0);
        expect((await system.customer(customer)).reservedCents).toBe(reserved + confirmedTotal);
      }
      // For the report: how many repeats the kill caused (zero is fine: the leader may die between batches).
      process.stdout.write(`two relays: ${records.length} records, ${repeats} relay repeats\n`);
    }, 300_000);
  });
});
