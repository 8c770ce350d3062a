import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrderStatus } from '../database';
import type { OrderView } from './order.view';

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: string;
  currency: string;
  created_at: Date;
}

/** Reads orders as views. Takes an EntityManager so that a command can read its own uncommitted writes. */
@Injectable()
export class OrderQueries {
  /** Most orders `byCustomer` returns, newest first. */
  static readonly PAGE_SIZE = 100;

  async findOne(manager: EntityManager, orderId: string): Promise<OrderView | undefined> {
    const rows = (await manager.query(
      `SELECT id, customer_id, status, total_cents::text AS total_cents, currency, created_at
         FROM orders WHERE id = $1`,
      [orderId],
    )) as OrderRow[];
    const [view] = await this.withDetails(manager, rows);
    return view;
  }

  async byCustomer(manager: EntityManager, customerId: string): Promise<OrderView[]> {
    const rows = (await manager.query(
      `SELECT id, customer_id, status, total_cents::text AS total_cents, currency, created_at
         FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [customerId, OrderQueries.PAGE_SIZE],
    )) as OrderRow[];
    return this.withDetails(manager, rows);
  }

  /** Lines and history of every order in two queries, not two per order. */
  private async withDetails(manager: EntityManager, orders: OrderRow[]): Promise<OrderView[]> {
    if (orders.length === 0) return [];
    const ids = orders.map((o) => o.id);
    const [lines, history] = (await Promise.all([
      manager.query(
        `SELECT order_id, sku, quantity, unit_price_cents::text AS unit_price_cents
           FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, line_no`,
        [ids],
      ),
      manager.query(
        `SELECT order_id, status, reason, occurred_at
           FROM order_status_history WHERE order_id = ANY($1) ORDER BY order_id, id`,
        [ids],
      ),
    ])) as [
      { order_id: string; sku: string; quantity: number; unit_price_cents: string }[],
      { order_id: string; status: OrderStatus; reason: string | null; occurred_at: Date }[],
    ];
    return orders.map((o) => ({
      id: o.id,
      customerId: o.customer_id,
      status: o.status,
      lines: lines
        .filter((l) => l.order_id === o.id)
        .map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: Number(l.unit_price_cents) })),
      totalCents: Number(o.total_cents),
      currency: o.currency,
      placedAt: o.created_at.toISOString(),
      history: history
        .filter((h) => h.order_id === o.id)
        .map((h) => ({ status: h.status, reason: h.reason, at: h.occurred_at.toISOString() })),
    }));
  }
}
