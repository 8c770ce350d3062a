/**
 * notifications as a work queue: three instances of one consumer group on orders.events (six partitions),
 * each owning some partitions; one is SIGKILLed mid-stream, its partitions move to the others, and still
 * every order's terminal state is notified exactly once, each instance having done part of the work. The
 * callbacks go to the real orders service.
 */
import { waitFor } from '@orderstream/testing';
import { Client } from 'pg';
import { SagaSystem, type OrderView } from './support/saga-system';

const ORDERS = 48;
/** Cheap enough that customer-1's credit never runs out, so most orders confirm; the outcome varies anyway. */
const ITEM = { sku: 'SKU-RED-MUG', quantity: 1 };

describe('notifications: three instances of one group', () => {
  let system: SagaSystem;
  let sql: Client;

  beforeAll(async () => {
    system = await SagaSystem.start({ env: { notifications: { INSTANCE_ID: 'instance-1' } } });
    await system.startInstance('notifications', 'instance-2');
    await system.startInstance('notifications', 'instance-3');
    sql = new Client({ connectionString: system.databaseUrl('notifications') });
    await sql.connect();
  }, 240_000);
  afterAll(async () => {
    await sql?.end();
    await system?.dispose();
  });

  const sentBy = async (): Promise<Record<string, number>> => {
    const { rows } = await sql.query<{ instance_id: string; n: number }>(
      'SELECT instance_id, count(*)::int AS n FROM notifications GROUP BY instance_id',
    );
    return Object.fromEntries(rows.map((r) => [r.instance_id, r.n]));
  };

  it('notifies every order once though one instance is killed mid-stream, and every instance did some', async () => {
    // Enough that the group has settled on all three members before the traffic starts.
    await waitFor(async () => (await system.groupMembers('notifications')) === 3, {
      description: 'three members in the notifications group',
      timeoutMs: 60_000,
    });

    const placed: OrderView[] = [];
    const customers = ['customer-1', 'customer-2', 'customer-3', 'customer-5'];
    for (let i = 0; i < ORDERS / 2; i++) {
      placed.push(await system.placeOrder({ customerId: customers[i % customers.length]!, items: [ITEM] }));
    }
    // Mid-stream: once instance 2 has sent some, it crashes; its partitions go to the other two.
    await waitFor(async () => ((await sentBy())['instance-2'] ?? 0) > 0, {
      description: 'instance-2 to have sent a notification',
      timeoutMs: 60_000,
    });
    await system.killInstance('instance-2');
    for (let i = ORDERS / 2; i < ORDERS; i++) {
      placed.push(await system.placeOrder({ customerId: customers[i % customers.length]!, items: [ITEM] }));
    }

    const settled = await Promise.all(placed.map((o) => system.waitForOrder(o.id)));
    await waitFor(
      async () => {
        const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
        return rows[0]?.n === ORDERS;
      },
      { description: `${ORDERS} notifications`, timeoutMs: 90_000 },
    );
    // Exactly once per order, in the state orders settled in.
    const { rows } = await sql.query<{ order_id: string; order_state: string; n: number }>(
      'SELECT order_id, order_state, count(*)::int AS n FROM notifications GROUP BY order_id, order_state',
    );
    expect(rows).toHaveLength(ORDERS);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const states = new Map(rows.map((r) => [r.order_id, r.order_state]));
    for (const order of settled) expect(states.get(order.id)).toBe(order.status);
    const { rows: outbox } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messaging_outbox WHERE headers->>'ce_type' = 'orderstream.notifications.NotificationSent'`,
    );
    expect(outbox[0]?.n).toBe(ORDERS);

    const work = await sentBy();
    expect(Object.keys(work).sort()).toEqual(['instance-1', 'instance-2', 'instance-3']);
    for (const n of Object.values(work)) expect(n).toBeGreaterThan(0);
  });
});
