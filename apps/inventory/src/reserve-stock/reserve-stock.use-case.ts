/**
 * Use case: a payment was authorized (PaymentAuthorized in the choreography, the ReserveStock command in
 * the orchestration), so reserve every line of its order, all or nothing, and say so, caused by `cause`.
 * Runs in the caller's transaction (the handler's, under effectively-once).
 *
 * Never oversells under concurrency: the SKUs' rows are locked `FOR UPDATE` in sorted SKU order (every
 * transaction that touches several SKUs takes them in that one order, so two orders sharing SKUs queue
 * instead of deadlocking), all lines are checked against the locked quantities, then all are updated.
 * The CHECK (available >= 0) on stock_items is the backstop. A withdrawn SKU has nothing to reserve.
 */
import { Injectable } from '@nestjs/common';
import { stockRejectedEvent, stockReservedEvent } from '@orderstream/contracts';
import { type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import { insertStockOrder } from '../stock/insert-stock-order';
import type { EntityManager } from 'typeorm';
import { lockOrder, lockStock } from '../stock/stock-locks';
import { STOCK_AGGREGATE } from '../stock/stock.aggregate';
import { StockLevelAnnouncer } from '../stock/stock-level.announcer';
import { StockTransitionsMetrics } from '../stock/stock-transitions.metrics';
import { mergeLines, planReservation } from '../stock/reservation-plan';
import { transition } from '../stock/stock-order.state-machine';

export type ReservationOutcome = 'RESERVED' | 'REJECTED' | 'REFUSED';

/** What to reserve: the order's lines. */
export interface StockRequest {
  orderId: string;
  items: readonly { sku: string; quantity: number }[];
}

@Injectable()
export class ReserveStockUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly metrics: StockTransitionsMetrics,
    private readonly levels: StockLevelAnnouncer,
  ) {}

  async execute(
    manager: EntityManager,
    request: StockRequest,
    cause: Envelope,
    logger: Logger,
  ): Promise<ReservationOutcome> {
    const { orderId, items } = request;
    // The order first, then its SKUs: the same order as the release, so the two cannot deadlock.
    const status = await lockOrder(manager, orderId);
    const decision = transition(status, 'reserve');
    if (decision.kind === 'refused') {
      this.metrics.countRefused(decision);
      logger.warn(
        { orderId, from: decision.from },
        'reservation asked for an order already decided: ignored',
      );
      return 'REFUSED';
    }

    const available = await lockStock(
      manager,
      mergeLines(items).map((l) => l.sku),
    );
    const plan = planReservation(items, available);

    // A plain INSERT: a concurrent transaction that inserted this order first makes this one fail on the
    // primary key and roll back; its retry then sees the order decided and refuses.
    await insertStockOrder(manager, orderId, plan.kind === 'reserve' ? 'RESERVED' : 'REJECTED');

    if (plan.kind === 'reject') {
      await this.outbox.add(manager, {
        definition: stockRejectedEvent,
        data: { orderId, sku: plan.sku, requested: plan.requested, available: plan.available },
        aggregateType: STOCK_AGGREGATE,
        causedBy: cause,
      });
      logger.info(
        { orderId, sku: plan.sku, requested: plan.requested, available: plan.available },
        'stock rejected',
      );
      return 'REJECTED';
    }

    const skus = plan.lines.map((l) => l.sku);
    const quantities = plan.lines.map((l) => l.quantity);
    await manager.query(
      `UPDATE stock_items s
          SET available = s.available - l.quantity, reserved = s.reserved + l.quantity, updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS l (sku, quantity)
        WHERE s.sku = l.sku`,
      [skus, quantities],
    );
    await manager.query(
      `INSERT INTO reservations (order_id, sku, quantity, status)
       SELECT $1, sku, quantity, 'RESERVED' FROM unnest($2::text[], $3::int[]) AS l (sku, quantity)`,
      [orderId, skus, quantities],
    );
    // The SKUs' new levels, on the compacted topic, in this same transaction.
    await this.levels.announce(manager, skus, cause);
    await this.outbox.add(manager, {
      definition: stockReservedEvent,
      data: { orderId, lines: plan.lines },
      aggregateType: STOCK_AGGREGATE,
      causedBy: cause,
    });
    logger.info({ orderId, lines: plan.lines.length }, 'stock reserved');
    return 'RESERVED';
  }
}
