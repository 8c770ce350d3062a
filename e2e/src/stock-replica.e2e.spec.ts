/**
 * Event-carried state on a compacted topic, across the running services: inventory publishes each SKU's
 * level to `inventory.stock-levels` through its outbox and the relay, orders replicates it. Under saga
 * traffic, a withdrawal and a restock the replica ends equal to inventory's table, version for version;
 * a restarted orders reads nothing it had read; and a stale replica (tampered to show stock inventory does
 * not have) lets orders through that the saga then refuses, never overselling.
 */
import { waitFor } from '@orderstream/testing';
import { SagaSystem, type OrderView } from './support/saga-system';

const LIMITED_UNITS = 10;

describe('stock levels replicated from a compacted topic', () => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start();
  }, 240_000);
  afterAll(() => system?.dispose());

  /** Records orders' replica group handled in the running orders process (its `/metrics`). */
  async function replicatedByOrders(): Promise<number> {
    const text = await (await fetch(`${system.url('orders')}/metrics`)).text();
    return text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('messaging_messages_succeeded_total{') &&
          line.includes('group="orders-stock-replica"'),
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  it('converges to inventory under saga traffic, a withdrawal and a restock, and a restart re-reads nothing', async () => {
    // Saga traffic: reservations, a cancellation (a release) and a rejection change levels.
    const placed: OrderView[] = [];
    for (let i = 0; i < 6; i++) {
      placed.push(
        await system.placeOrder({
          customerId: 'customer-1',
          items: [
            { sku: 'SKU-RED-MUG', quantity: 1 + i },
            { sku: 'SKU-TEE-M', quantity: 1 },
          ],
        }),
      );
    }
    const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id)));
    expect(settled.map((o) => o.status)).toEqual(settled.map(() => 'CONFIRMED'));
    const cancelled = await system.cancelOrder(settled[0]?.id ?? '');
    expect(cancelled.status).toBe(200);

    const withdrawn = await system.request('inventory', 'POST', '/stock/SKU-POSTER/withdraw');
    expect(withdrawn).toMatchObject({ status: 200, body: { withdrawn: true } });
    const restocked = await system.request('inventory', 'PUT', '/stock/SKU-BLUE-MUG', {
      body: { available: 2500 },
    });
    expect(restocked).toMatchObject({ status: 200, body: { available: 2500 } });
    await system.waitForPayment(settled[0]?.id ?? '', 'REFUNDED');
    // inventory releases the cancelled order's stock on its own consumer, independently of the refund: the
    // replica is compared only once the release happened (before, it could converge on the level before it).
    await waitFor(
      async () =>
        (
          await system.query<{ status: string }>(
            'inventory',
            'SELECT status FROM stock_orders WHERE order_id = $1',
            [settled[0]?.id],
          )
        )[0]?.status === 'RELEASED',
      { description: "inventory to release the cancelled order's stock", timeoutMs: 60_000 },
    );

    // Row for row, version for version; the withdrawn SKU is gone from the replica (its tombstone).
    const levels = await system.waitForStockReplica();
    expect(levels.map((l) => l.sku)).not.toContain('SKU-POSTER');
    expect(levels.find((l) => l.sku === 'SKU-RED-MUG')).toMatchObject({ reserved: 2 + 3 + 4 + 5 + 6 });
    expect((await system.stockReplica()).map((l) => l.sku)).toEqual(levels.map((l) => l.sku));

    // The withdrawn SKU is refused before any saga starts.
    const refused = await system.postOrder({
      customerId: 'customer-1',
      items: [{ sku: 'SKU-POSTER', quantity: 1 }],
    });
    expect(refused).toMatchObject({
      status: 422,
      body: { type: 'urn:orderstream:problem:stock-unavailable' },
    });

    // A restart resumes from the replica group's committed offsets: nothing is read again.
    expect(await system.stopOne('orders')).toBe(0);
    await system.startOne('orders');
    expect(await system.waitForStockReplica()).toEqual(levels);
    expect(await replicatedByOrders()).toBe(0);
  });

  it('never oversells on a stale replica: it lets orders through, the saga refuses what inventory does not have', async () => {
    expect(await system.stock('SKU-LIMITED')).toEqual({
      sku: 'SKU-LIMITED',
      available: LIMITED_UNITS,
      reserved: 0,
    });
    // Stale: the replica shows far more than inventory has (as if it had missed every change).
    await system.query('orders', `UPDATE stock_replica SET available = 100000 WHERE sku = 'SKU-LIMITED'`);

    // Placed at once; one the replica has by then caught up on (sold out) is refused, which is fine.
    const answers = await Promise.all(
      Array.from({ length: 3 * LIMITED_UNITS }, () =>
        system.placeOrderUnlessSoldOut({
          customerId: 'customer-2',
          items: [{ sku: 'SKU-LIMITED', quantity: 1 }],
        }),
      ),
    );
    const placed = answers.filter((o): o is OrderView => o !== undefined);
    expect(placed.length).toBeGreaterThan(LIMITED_UNITS);
    const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id)));
    const confirmed = settled.filter((o) => o.status === 'CONFIRMED');
    const others = settled.filter((o) => o.status !== 'CONFIRMED');
    expect(confirmed).toHaveLength(LIMITED_UNITS);
    expect(others.map((o) => [o.status, o.history.at(-1)?.reason])).toEqual(
      others.map(() => ['CANCELLED', 'out-of-stock']),
    );
    await Promise.all(others.map((o) => system.waitForPayment(o.id, 'REFUNDED')));
    expect(await system.stock('SKU-LIMITED')).toEqual({
      sku: 'SKU-LIMITED',
      available: 0,
      reserved: LIMITED_UNITS,
    });

    // The next level from inventory (a higher version) overwrites the stale row: the replica converges,
    // and from then on orders refuses the sold-out SKU itself.
    const levels = await system.waitForStockReplica();
    expect(levels.find((l) => l.sku === 'SKU-LIMITED')).toMatchObject({
      available: 0,
      reserved: LIMITED_UNITS,
    });
    await waitFor(
      async () => {
        const response = await system.postOrder({
          customerId: 'customer-2',
          items: [{ sku: 'SKU-LIMITED', quantity: 1 }],
        });
        return response.status === 422;
      },
      { description: 'orders to refuse the sold-out SKU from its replica', timeoutMs: 10_000 },
    );
  });
});
