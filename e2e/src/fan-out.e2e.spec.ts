/**
 * Fan-out: orders.events is read by four independent groups (payments, inventory, order-history,
 * notifications). Here notifications fails every message (its callback points at a port nothing listens on,
 * as if orders were unreachable from it): its records go through its own retry topics, and the other groups
 * are not delayed — the sagas settle, the read model has every order, and their retry topics stay empty.
 */
import { waitFor } from '@orderstream/testing';
import { SagaSystem } from './support/saga-system';

const ORDERS = 10;

describe('fan-out: one failing group delays no other', () => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start({
      env: { notifications: { ORDERS_URL: 'http://127.0.0.1:9', ORDERS_TIMEOUT_MS: '200' } },
    });
  }, 240_000);
  afterAll(() => system?.dispose());

  async function endOffsetsOf(topic: string): Promise<number> {
    const admin = system.kafka('fan-out-admin').admin();
    await admin.connect();
    try {
      return (await admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('settles every saga and fills the read model while notifications retries on its own topics', async () => {
    const placed = [];
    for (let i = 0; i < ORDERS; i++) {
      placed.push(
        await system.placeOrder({ customerId: 'customer-1', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] }),
      );
    }
    const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id)));
    const terminal = settled.length;

    // The read model (another group on the same topics) has every order in its settled state.
    const readModel = system.url('order-history');
    await waitFor(
      async () => {
        const views = await Promise.all(
          settled.map(async (o) => {
            const response = await fetch(`${readModel}/order-views/${o.id}`);
            return response.status === 200 ? ((await response.json()) as { state: string }).state : undefined;
          }),
        );
        return views.every((state, i) => state === settled[i]?.status);
      },
      { description: 'order-history to show every order settled' },
    );

    // notifications failed each terminal event and forwarded it to its own first retry topic.
    await waitFor(async () => (await endOffsetsOf('notifications.retry.1')) >= terminal, {
      description: `${terminal} records on notifications.retry.1`,
      timeoutMs: 30_000,
    });
    const notified = await fetch(`${system.url('notifications')}/orders/${settled[0]!.id}/notifications`);
    expect(((await notified.json()) as { items: unknown[] }).items).toEqual([]);

    // The others never retried anything: their retry topics are their own, and empty.
    for (const topic of [
      'payments.retry.1',
      'inventory.retry.1',
      'orders.retry.1',
      'order-history.g1.retry.1',
    ]) {
      expect([topic, await endOffsetsOf(topic)]).toEqual([topic, 0]);
    }
    expect(await endOffsetsOf('notifications.dlt')).toBe(0);
  });
});
