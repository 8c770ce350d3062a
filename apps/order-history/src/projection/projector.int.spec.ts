/**
 * The projector against real PostgreSQL: every interleaving of a saga's events that per-topic order allows,
 * applied one transaction per event, gives one view row and one customer summary; a redelivery changes
 * nothing; and events of one order applied at the same time (different topics, different workers) lose
 * nothing.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { randomUUID } from 'node:crypto';
import { orderHistoryDataSourceOptions } from '../database';
import { createGenerationSchema, schemaOf } from './generation-schema';
import { applyToGeneration } from './order-history.projector';
import { foldOrderView, type TimelineEvent } from './order-view';
import { interleavings, sagaScenarios } from './saga-scenarios';

const GENERATION = 7;
const schema = schemaOf(GENERATION);

describe('order-history projector (PostgreSQL)', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'order_history_projector',
      orderHistoryDataSourceOptions,
    );
    await db.dataSource.transaction((manager) => createGenerationSchema(manager, GENERATION));
  });
  afterAll(() => db?.dispose());

  const apply = (orderId: string, event: TimelineEvent) =>
    db.dataSource.transaction((manager) => applyToGeneration(manager, GENERATION, orderId, event));

  /** The view row and the customer's summary, without the ids that differ per interleaving. */
  async function outcome(orderId: string, customerId: string) {
    const [view] = (await db.dataSource.query(`SELECT * FROM ${schema}.order_views WHERE order_id = $1`, [
      orderId,
    ])) as Record<string, unknown>[];
    const [summary] = (await db.dataSource.query(
      `SELECT pending, confirmed, rejected, cancelled, refunds FROM ${schema}.customer_summaries WHERE customer_id = $1`,
      [customerId],
    )) as Record<string, unknown>[];
    const amounts = (await db.dataSource.query(
      `SELECT currency, spent_cents, refunded_cents FROM ${schema}.customer_amounts WHERE customer_id = $1`,
      [customerId],
    )) as Record<string, unknown>[];
    const timeline = (await db.dataSource.query(
      `SELECT type FROM ${schema}.order_timeline WHERE order_id = $1 ORDER BY time COLLATE "C", event_id COLLATE "C"`,
      [orderId],
    )) as { type: string }[];
    const { order_id: _o, customer_id: _c, ...rest } = view ?? {};
    return { view: rest, customer: view?.['customer_id'] === customerId, summary, amounts, timeline };
  }

  const shapes = sagaScenarios(randomUUID(), 'x').map((s, index) => [s.name, index] as const);

  it.each(shapes)('%s: every interleaving gives one row and one summary', async (_, index) => {
    const count = interleavings(sagaScenarios(randomUUID(), 'x')[index]!.topics).length;
    const outcomes = [];
    for (let i = 0; i < count; i++) {
      const orderId = randomUUID();
      const customerId = `customer-${orderId}`;
      const scenario = sagaScenarios(orderId, customerId)[index]!;
      const events = interleavings(scenario.topics)[i]!;
      for (const event of events) expect(await apply(orderId, event)).toBe('APPLIED');
      outcomes.push(await outcome(orderId, customerId));
      if (i === 0) {
        const folded = foldOrderView(orderId, events);
        expect(outcomes[0]).toMatchObject({
          customer: true,
          view: {
            state: folded.state,
            payment_state: folded.paymentState,
            reservation_state: folded.reservationState,
            event_count: events.length,
          },
          timeline: folded.timeline.map((e) => ({ type: e.type })),
        });
      }
    }
    expect(outcomes).toHaveLength(count);
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
  });

  it('a redelivered event changes nothing', async () => {
    const orderId = randomUUID();
    const customerId = `customer-${orderId}`;
    const events = sagaScenarios(orderId, customerId)[2]!.topics.flat();
    for (const event of events) await apply(orderId, event);
    const before = await outcome(orderId, customerId);
    for (const event of [events[3]!, events[0]!, events[4]!])
      expect(await apply(orderId, event)).toBe('DUPLICATE');
    expect(await outcome(orderId, customerId)).toEqual(before);
    expect(before.summary).toEqual({ pending: 0, confirmed: 0, rejected: 0, cancelled: 1, refunds: 1 });
    expect(before.amounts).toEqual([{ currency: 'EUR', spent_cents: '0', refunded_cents: '3000' }]);
  });

  it('events of one order applied at the same time lose nothing', async () => {
    const orderId = randomUUID();
    const customerId = `customer-${orderId}`;
    const events = sagaScenarios(orderId, customerId)[3]!.topics.flat();
    const outcomes = await Promise.all(events.map((event) => apply(orderId, event)));
    expect(outcomes).toEqual(events.map(() => 'APPLIED'));
    expect(await outcome(orderId, customerId)).toMatchObject({
      view: { state: 'CANCELLED', payment_state: 'REFUNDED', reservation_state: 'RELEASED', event_count: 6 },
      summary: { pending: 0, confirmed: 0, rejected: 0, cancelled: 1, refunds: 1 },
    });
  });

  it("two orders of one customer updated at once both count in the customer's summary", async () => {
    const customerId = `customer-${randomUUID()}`;
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(
      orders.map(async (orderId) => {
        for (const event of sagaScenarios(orderId, customerId)[0]!.topics.flat()) await apply(orderId, event);
      }),
    );
    expect(
      await db.dataSource.query(
        `SELECT pending, confirmed FROM ${schema}.customer_summaries WHERE customer_id = $1`,
        [customerId],
      ),
    ).toEqual([{ pending: 0, confirmed: 3 }]);
    expect(
      await db.dataSource.query(`SELECT spent_cents FROM ${schema}.customer_amounts WHERE customer_id = $1`, [
        customerId,
      ]),
    ).toEqual([{ spent_cents: '9000' }]);
  });
});
