/**
 * Use case: the order was cancelled (OrderCancelled in the choreography, the ReleaseStock command in the
 * orchestration), so give back what inventory holds for it, exactly once, and say so (`StockReleased`,
 * caused by `cause`). A cancellation that arrives before the payment leaves a CANCELLED mark, so the late
 * `PaymentAuthorized` reserves nothing (see the state machine).
 */
import { Injectable } from '@nestjs/common';
import { stockReleasedEvent } from '@orderstream/contracts';
import { InvariantViolatedError, type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';
import { lockOrder, lockStock } from '../stock/stock-locks';
import { insertStockOrder } from '../stock/insert-stock-order';
import { STOCK_AGGREGATE } from '../stock/stock.aggregate';
import { StockLevelAnnouncer } from '../stock/stock-level.announcer';
import { StockTransitionsMetrics } from '../stock/stock-transitions.metrics';
import { transition } from '../stock/stock-order.state-machine';
import { updateReturning } from '@orderstream/platform';

export type ReleaseOutcome = 'RELEASED' | 'CANCELLED' | 'REFUSED';

@Injectable()
export class ReleaseStockUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly metrics: StockTransitionsMetrics,
    private readonly levels: StockLevelAnnouncer,
  ) {}

  async execute(
    manager: EntityManager,
    orderId: string,
    cause: Envelope,
    logger: Logger,
  ): Promise<ReleaseOutcome> {
    const status = await lockOrder(manager, orderId);
    const decision = transition(status, 'release');
    if (decision.kind === 'refused') {
      this.metrics.countRefused(decision);
      logger.warn({ orderId, from: decision.from }, 'release asked for an order holding no stock: ignored');
      return 'REFUSED';
    }
    if (decision.kind === 'cancel-unreserved') {
      // Races a reservation of the same order (PaymentAuthorized comes on another topic) like reserve-stock.
      await insertStockOrder(manager, orderId, 'CANCELLED');
      logger.info({ orderId }, 'order cancelled before its payment arrived: nothing to release');
      return 'CANCELLED';
    }

    const held = (await manager.query(
      `SELECT sku, quantity FROM reservations WHERE order_id = $1 AND status = 'RESERVED' ORDER BY sku`,
      [orderId],
    )) as { sku: string; quantity: number }[];
    await lockStock(
      manager,
      held.map((l) => l.sku),
    );
    const released = await updateReturning<{ sku: string }>(
      manager,
      `UPDATE stock_items s
          SET available = s.available + r.quantity, reserved = s.reserved - r.quantity, updated_at = now()
         FROM reservations r
        WHERE r.order_id = $1 AND r.status = 'RESERVED' AND s.sku = r.sku
        RETURNING s.sku`,
      [orderId],
    );
    if (released.length !== held.length) {
      // A reservation whose stock row is gone: bad data no retry fixes; dead-lettered at once.
      throw new InvariantViolatedError(
        `Released ${released.length} of the ${held.length} reserved SKUs of order ${orderId}`,
        { details: { orderId, reserved: held.map((l) => l.sku), released: released.map((r) => r.sku) } },
      );
    }
    await manager.query(
      `UPDATE reservations SET status = 'RELEASED', updated_at = now() WHERE order_id = $1 AND status = 'RESERVED'`,
      [orderId],
    );
    await manager.query(
      `UPDATE stock_orders SET status = 'RELEASED', updated_at = now() WHERE order_id = $1`,
      [orderId],
    );
    await this.levels.announce(
      manager,
      held.map((l) => l.sku),
      cause,
    );
    await this.outbox.add(manager, {
      definition: stockReleasedEvent,
      data: { orderId, lines: held.map(({ sku, quantity }) => ({ sku, quantity })) },
      aggregateType: STOCK_AGGREGATE,
      causedBy: cause,
    });
    logger.info({ orderId, lines: held.length }, 'stock released');
    return 'RELEASED';
  }
}
