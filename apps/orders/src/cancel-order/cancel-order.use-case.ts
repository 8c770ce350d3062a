import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from '@orderstream/messaging';
import type { DataSource } from 'typeorm';
import { illegalTransition, orderNotFound } from '../http/order-problems';
import { OrderTransitions } from '../order/order-transitions';
import { OrderSagaOrchestrator } from '../order-saga/order-saga.orchestrator';
import { OrderQueries } from '../query-orders/order.queries';
import type { OrderView } from '../query-orders/order.view';

/**
 * The customer cancels a confirmed order: CANCELLED with reason `customer`, and OrderCancelled, on which
 * inventory releases the stock and payments refunds (choreography), or the cancellation saga's commands do
 * (orchestration). Any other status answers 409 and writes nothing.
 */
@Injectable()
export class CancelOrderUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queries: OrderQueries,
    private readonly sagas: OrderSagaOrchestrator,
  ) {}

  async cancel(orderId: string, logger: Logger): Promise<OrderView> {
    return this.dataSource.transaction(async (manager) => {
      const outcome = await this.transitions.apply(manager, {
        orderId,
        trigger: 'customer-cancelled',
        actor: `POST /orders/${orderId}/cancel`,
        logger,
      });
      if (outcome.kind === 'not-found') throw orderNotFound(orderId);
      if (outcome.kind === 'illegal') throw illegalTransition(orderId, outcome.from, 'cancellation');
      await this.sagas.startCancellation(manager, orderId);
      const view = await this.queries.findOne(manager, orderId);
      if (!view) throw orderNotFound(orderId);
      return view;
    });
  }
}
