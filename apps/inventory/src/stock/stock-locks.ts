/**
 * The row locks every inventory transaction takes, always in this order: the order's row, then the SKUs'
 * rows sorted by SKU. One global order means two transactions can wait for each other but never deadlock.
 */
import type { EntityManager } from 'typeorm';
import type { StockOrderStatus } from './stock-order.state-machine';

/** Locks the order's row, if inventory knows the order, and returns its status. */
export async function lockOrder(
  manager: EntityManager,
  orderId: string,
): Promise<StockOrderStatus | undefined> {
  const rows = (await manager.query('SELECT status FROM stock_orders WHERE order_id = $1 FOR UPDATE', [
    orderId,
  ])) as { status: StockOrderStatus }[];
  return rows[0]?.status;
}

/**
 * Locks the SKUs' rows in SKU order and returns their units free to reserve: none for a withdrawn SKU.
 * PostgreSQL locks the rows as the sorted result produces them (LockRows sits above the Sort), so the
 * ORDER BY is the lock order. Unknown SKUs are simply absent from the result.
 */
export async function lockStock(
  manager: EntityManager,
  skus: readonly string[],
): Promise<Map<string, number>> {
  const rows = (await manager.query(
    `SELECT sku, CASE WHEN withdrawn_at IS NULL THEN available ELSE 0 END AS available
       FROM stock_items WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
    [[...skus]],
  )) as { sku: string; available: number }[];
  return new Map(rows.map((r) => [r.sku, r.available]));
}
