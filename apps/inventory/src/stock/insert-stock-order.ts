/**
 * Records inventory's decision about an order: the first row for it in `stock_orders`. A plain INSERT on
 * purpose: the order had no row when `lockOrder` looked (there was nothing to lock), so a concurrent
 * transaction (the reservation on PaymentAuthorized and the release on OrderCancelled arrive on different
 * topics) may insert one first. Then the primary key fails this one, it rolls back, and its retry sees the
 * order decided. That violation is expected, so it leaves as a retriable error; any other data error stays
 * what the messaging library makes of it (not retriable).
 */
import { HandlerError } from '@orderstream/messaging';
import { isUniqueViolation } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';
import type { StockOrderStatus } from './stock-order.state-machine';

export async function insertStockOrder(
  manager: EntityManager,
  orderId: string,
  status: StockOrderStatus,
): Promise<void> {
  try {
    await manager.query('INSERT INTO stock_orders (order_id, status) VALUES ($1, $2)', [orderId, status]);
  } catch (error) {
    if (!isUniqueViolation(error, 'stock_orders_pkey')) throw error;
    throw new HandlerError(`Order ${orderId} was decided by a concurrent transaction`, {
      code: 'STOCK_ORDER_INSERTED_CONCURRENTLY',
      cause: error,
    });
  }
}
