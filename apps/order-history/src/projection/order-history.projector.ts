/**
 * Applies one event to one generation of the read model, in the caller's transaction:
 *
 * 1. the order's view row is created if missing and locked (`FOR UPDATE`), so that events of one order read
 *    from different topics at the same time — different partitions, so different workers — are applied one
 *    after the other, each seeing the other's committed timeline;
 * 2. the event joins the order's timeline, unless its id is there already (a redelivery, a replay of an
 *    event already applied: nothing else happens);
 * 3. the view is folded again from the whole timeline (order-view.ts) and written;
 * 4. the customer's summary moves by the difference between what the order contributed before and after,
 *    as increments, so two orders of one customer updated at once both count.
 *
 * The timeline's primary key is the projection's inbox: with it, at-least-once delivery is effectively-once.
 */
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import type { EntityManager } from 'typeorm';
import { schemaOf } from './generation-schema';
import {
  contributionOf,
  foldOrderView,
  ORDER_STATES,
  type CustomerContribution,
  type OrderView,
  type TimelineEvent,
} from './order-view';

export type ApplyOutcome = 'APPLIED' | 'DUPLICATE';

interface TimelineRow {
  event_id: string;
  type: string;
  source: string;
  time: string;
  topic: string;
  partition: number;
  offset: string;
  causation_id: string | null;
  data: Record<string, unknown>;
}

/** The timeline entry of an event as read from Kafka. */
export function timelineEventOf(event: Envelope, context: HandlerContext): TimelineEvent {
  const { record } = context.message;
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    time: event.time,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    causationId: event.causationId ?? null,
    data: toJson(event.data) as Record<string, unknown>,
  };
}

export async function applyToGeneration(
  manager: EntityManager,
  generation: number,
  orderId: string,
  event: TimelineEvent,
): Promise<ApplyOutcome> {
  const schema = schemaOf(generation);
  await manager.query(`INSERT INTO ${schema}.order_views (order_id) VALUES ($1) ON CONFLICT DO NOTHING`, [
    orderId,
  ]);
  await manager.query(`SELECT 1 FROM ${schema}.order_views WHERE order_id = $1 FOR UPDATE`, [orderId]);

  const inserted = (await manager.query(
    `INSERT INTO ${schema}.order_timeline
       (event_id, order_id, type, source, time, topic, partition, "offset", causation_id, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [
      event.eventId,
      orderId,
      event.type,
      event.source,
      event.time,
      event.topic,
      event.partition,
      event.offset,
      event.causationId,
      JSON.stringify(event.data),
    ],
  )) as unknown[];
  if (inserted.length === 0) return 'DUPLICATE';

  const rows = (await manager.query(
    `SELECT event_id, type, source, time, topic, partition, "offset"::text AS "offset", causation_id, data
       FROM ${schema}.order_timeline WHERE order_id = $1`,
    [orderId],
  )) as TimelineRow[];
  const timeline = rows.map(fromRow);
  const before = foldOrderView(
    orderId,
    timeline.filter((e) => e.eventId !== event.eventId),
  );
  const after = foldOrderView(orderId, timeline);
  await writeView(manager, schema, after);
  await moveSummary(manager, schema, contributionOf(before), contributionOf(after));
  return 'APPLIED';
}

async function writeView(manager: EntityManager, schema: string, view: OrderView): Promise<void> {
  const last = view.timeline[view.timeline.length - 1];
  await manager.query(
    `UPDATE ${schema}.order_views SET
       customer_id = $2, state = $3, state_reason = $4, total_cents = $5, currency = $6, lines = $7,
       placed_at = $8, payment_state = $9, payment_reason = $10, payment_amount_cents = $11,
       reservation_state = $12, reservation_short_sku = $13, event_count = $14, last_event_at = $15
     WHERE order_id = $1`,
    [
      view.orderId,
      view.customerId,
      view.state,
      view.stateReason,
      view.totalCents,
      view.currency,
      JSON.stringify(view.lines),
      view.placedAt,
      view.paymentState,
      view.paymentReason,
      view.paymentAmountCents,
      view.reservationState,
      view.reservationShortSku,
      view.timeline.length,
      last?.time ?? null,
    ],
  );
}

/** Adds `after − before` to the customer's counters and amounts (a customer seen first gets its rows). */
async function moveSummary(
  manager: EntityManager,
  schema: string,
  before: CustomerContribution | null,
  after: CustomerContribution | null,
): Promise<void> {
  const deltas = new Map<
    string,
    { counts: Record<string, number>; amounts: Map<string, [number, number]> }
  >();
  const add = (c: CustomerContribution | null, sign: 1 | -1): void => {
    if (c === null) return;
    const entry = deltas.get(c.customerId) ?? {
      counts: {} as Record<string, number>,
      amounts: new Map<string, [number, number]>(),
    };
    const column = c.state.toLowerCase();
    entry.counts[column] = (entry.counts[column] ?? 0) + sign;
    entry.counts['refunds'] = (entry.counts['refunds'] ?? 0) + sign * c.refunds;
    if (c.currency !== null) {
      const [spent, refunded] = entry.amounts.get(c.currency) ?? [0, 0];
      entry.amounts.set(c.currency, [spent + sign * c.spentCents, refunded + sign * c.refundedCents]);
    }
    deltas.set(c.customerId, entry);
  };
  add(before, -1);
  add(after, 1);

  const columns = [...ORDER_STATES.map((s) => s.toLowerCase()), 'refunds'];
  for (const [customerId, { counts, amounts }] of deltas) {
    const values = columns.map((c) => counts[c] ?? 0);
    if (values.some((v) => v !== 0)) {
      await manager.query(
        `INSERT INTO ${schema}.customer_summaries (customer_id, ${columns.join(', ')})
         VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (customer_id) DO UPDATE SET
           ${columns.map((c) => `${c} = customer_summaries.${c} + EXCLUDED.${c}`).join(', ')}`,
        [customerId, ...values],
      );
    }
    for (const [currency, [spent, refunded]] of amounts) {
      if (spent === 0 && refunded === 0) continue;
      await manager.query(
        `INSERT INTO ${schema}.customer_amounts (customer_id, currency, spent_cents, refunded_cents)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id, currency) DO UPDATE SET
           spent_cents = customer_amounts.spent_cents + EXCLUDED.spent_cents,
           refunded_cents = customer_amounts.refunded_cents + EXCLUDED.refunded_cents`,
        [customerId, currency, spent, refunded],
      );
    }
  }
}

function fromRow(row: TimelineRow): TimelineEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    source: row.source,
    time: row.time,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    causationId: row.causation_id,
    data: row.data,
  };
}

/** Avro longs may decode as bigint, which JSON cannot hold; as numbers they are exact up to 2^53. */
function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
}
