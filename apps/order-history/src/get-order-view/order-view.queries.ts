/**
 * Reads of the served generation, through the `public` views (projection/generation-schema.ts): a request
 * reads one generation whatever a rebuild does meanwhile, because serving another is one transaction.
 */
import type { EntityManager } from 'typeorm';
import type { OrderState } from '../projection/order-view';
import type { OrderViewDto, OrderViewSummaryDto } from './order-view.view';

interface ViewRow {
  order_id: string;
  customer_id: string | null;
  state: OrderState | null;
  state_reason: string | null;
  total_cents: string | null;
  currency: string | null;
  lines: { sku: string; quantity: number; unitPriceCents: number }[];
  placed_at: string | null;
  payment_state: OrderViewDto['payment']['state'];
  payment_reason: string | null;
  payment_amount_cents: string | null;
  reservation_state: OrderViewDto['reservation']['state'];
  reservation_short_sku: string | null;
  event_count: number;
  last_event_at: string | null;
}

interface TimelineRow {
  event_id: string;
  type: string;
  source: string;
  time: string;
  topic: string;
  partition: number;
  offset: string;
  causation_id: string | null;
}

export const PAGE_SIZE = 50;

export async function findOrderView(manager: EntityManager, orderId: string): Promise<OrderViewDto | null> {
  const [row] = (await manager.query(`SELECT * FROM order_views WHERE order_id = $1`, [
    orderId,
  ])) as ViewRow[];
  if (!row) return null;
  const events = (await manager.query(
    `SELECT event_id, type, source, time, topic, partition, "offset"::text AS "offset", causation_id
       FROM order_timeline WHERE order_id = $1 ORDER BY time COLLATE "C", event_id COLLATE "C"`,
    [orderId],
  )) as TimelineRow[];
  return {
    ...summaryOf(row),
    timeline: events.map((e) => ({
      eventId: e.event_id,
      type: e.type,
      source: e.source,
      time: e.time,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      causationId: e.causation_id,
    })),
  };
}

/** Where a page starts: after this (placedAt, orderId) in the list's order. */
export interface PageKey {
  placedAt: string | null;
  orderId: string;
}

export interface OrderViewFilter {
  customerId?: string | undefined;
  state?: OrderState | undefined;
  after?: PageKey | undefined;
  limit: number;
}

/**
 * The cursor of a page key: `<placedAt in epoch ms, or ->.<orderId>`. Every string of `CURSOR_PATTERN` is a
 * cursor (the OpenAPI document states the pattern, so a client can never send a "valid" cursor the server
 * refuses); clients should treat it as opaque all the same.
 */
export const CURSOR_PATTERN = /^(\d{1,13}|-)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function cursorOf(key: PageKey): string {
  return `${key.placedAt === null ? '-' : Date.parse(key.placedAt)}.${key.orderId}`;
}

/** The page key of a cursor matching `CURSOR_PATTERN`. */
export function pageKeyOf(cursor: string): PageKey {
  const [placedAt = '-', orderId = ''] = cursor.split('.');
  // 13 digits at most: every such number of milliseconds is a valid date (before the year 2287).
  return { placedAt: placedAt === '-' ? null : new Date(Number(placedAt)).toISOString(), orderId };
}

/**
 * One page, newest placed first (orders whose OrderPlaced is not read yet last), by keyset: the page after
 * `(placedAt, orderId)` is the rows sorting after it, so a page never repeats or skips a row because rows
 * were added meanwhile, and its cost does not grow with the page number.
 */
export async function listOrderViews(
  manager: EntityManager,
  filter: OrderViewFilter,
): Promise<OrderViewSummaryDto[]> {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const parameter = (value: unknown): string => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (filter.customerId !== undefined) conditions.push(`customer_id = ${parameter(filter.customerId)}`);
  if (filter.state !== undefined) conditions.push(`state = ${parameter(filter.state)}`);
  const { after } = filter;
  if (after !== undefined) {
    const orderId = parameter(after.orderId);
    if (after.placedAt === null) {
      conditions.push(`(placed_at IS NULL AND order_id < ${orderId})`);
    } else {
      const placedAt = parameter(after.placedAt);
      conditions.push(
        `(placed_at < ${placedAt} OR (placed_at = ${placedAt} AND order_id < ${orderId}) OR placed_at IS NULL)`,
      );
    }
  }
  const rows = (await manager.query(
    `SELECT * FROM order_views ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY placed_at DESC NULLS LAST, order_id DESC LIMIT ${parameter(filter.limit)}`,
    parameters,
  )) as ViewRow[];
  return rows.map(summaryOf);
}

function summaryOf(row: ViewRow): OrderViewSummaryDto {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    state: row.state,
    stateReason: row.state_reason,
    totalCents: row.total_cents === null ? null : Number(row.total_cents),
    currency: row.currency,
    lines: row.lines,
    placedAt: row.placed_at,
    payment: {
      state: row.payment_state,
      reason: row.payment_reason,
      amountCents: row.payment_amount_cents === null ? null : Number(row.payment_amount_cents),
    },
    reservation: { state: row.reservation_state, shortSku: row.reservation_short_sku },
    eventCount: row.event_count,
    lastEventAt: row.last_event_at,
  };
}
