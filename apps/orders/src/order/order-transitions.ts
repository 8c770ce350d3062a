/**
 * Applies one trigger to one order, the only way a status changes after placement (saga reactions, the
 * customer's cancel, the deadline): lock the order row, ask the state machine, update the row, append to
 * the history and queue the resulting event in the outbox, all in the caller's transaction.
 *
 * The row lock (SELECT … FOR UPDATE) comes first on purpose: two transactions on one order (a StockReserved
 * and the deadline, say) serialise on it, so the second sees the first's status and its outbox rows get the
 * higher sequences. Without the lock both could read PENDING, both "apply", and their events reach the
 * outbox interleaved; with it, per-order event order in the outbox is the order of the transitions.
 *
 * An illegal transition is an expected outcome, not an error: it is logged and counted and the caller's
 * transaction commits normally (for a Kafka handler: the inbox row, so the event is not retried forever).
 * What cannot happen unless the code or the data is broken (a transition without its reason) throws an
 * `InvariantViolatedError`: never retried, dead-lettered for a person to look at.
 */
import { Injectable } from '@nestjs/common';
import {
  orderCancelledEvent,
  orderConfirmedEvent,
  orderRejectedEvent,
  type OrderRejectionReason,
} from '@orderstream/contracts';
import { InvariantViolatedError, type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';
import type { OrderStatus } from '../database';
import { OrderMetrics } from './order.metrics';
import { CANCELLATION_REASON, nextStatus, type OrderTrigger } from './order.state-machine';

export const ORDER_AGGREGATE = 'Order';

export interface TransitionRequest {
  orderId: string;
  trigger: OrderTrigger;
  /** Required for `payment-declined`: the reason payments gave, carried into OrderRejected. */
  rejectionReason?: OrderRejectionReason;
  /** The event being handled, if any: its id becomes the causation id and the history's `caused_by`. */
  causedBy?: Envelope<unknown>;
  /** Recorded in the history when there is no event (`http`, `saga-deadline`). */
  actor?: string;
  logger: Logger;
}

export type TransitionOutcome =
  | { kind: 'applied'; from: OrderStatus; to: OrderStatus }
  | { kind: 'illegal'; from: OrderStatus }
  | { kind: 'not-found' };

interface LockedOrder {
  customer_id: string;
  status: OrderStatus;
}

@Injectable()
export class OrderTransitions {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly metrics: OrderMetrics,
  ) {}

  async apply(manager: EntityManager, request: TransitionRequest): Promise<TransitionOutcome> {
    const { orderId, trigger, logger } = request;
    const rows = (await manager.query('SELECT customer_id, status FROM orders WHERE id = $1 FOR UPDATE', [
      orderId,
    ])) as LockedOrder[];
    const order = rows[0];
    if (!order) {
      this.metrics.unknownOrder(trigger);
      logger.warn({ orderId, trigger }, 'trigger for an unknown order skipped');
      return { kind: 'not-found' };
    }
    const from = order.status;
    const to = nextStatus(from, trigger);
    if (!to) {
      this.metrics.illegalTransition(from, trigger);
      logger.warn({ orderId, trigger, status: from }, 'illegal order transition skipped');
      return { kind: 'illegal', from };
    }

    const reason = this.reasonFor(trigger, request.rejectionReason);
    await manager.query('UPDATE orders SET status = $2, updated_at = now() WHERE id = $1', [orderId, to]);
    await manager.query(
      'INSERT INTO order_status_history (order_id, status, reason, caused_by) VALUES ($1, $2, $3, $4)',
      [orderId, to, reason ?? null, causeOf(request)],
    );
    await this.queueEvent(manager, { orderId, customerId: order.customer_id, to, trigger, request });
    this.metrics.transition(from, to, trigger);
    logger.info({ orderId, trigger, from, to }, 'order transition applied');
    return { kind: 'applied', from, to };
  }

  private reasonFor(
    trigger: OrderTrigger,
    rejectionReason: OrderRejectionReason | undefined,
  ): string | undefined {
    return trigger === 'payment-declined' ? rejectionReason : CANCELLATION_REASON[trigger];
  }

  private async queueEvent(
    manager: EntityManager,
    change: {
      orderId: string;
      customerId: string;
      to: OrderStatus;
      trigger: OrderTrigger;
      request: TransitionRequest;
    },
  ): Promise<void> {
    const { orderId, customerId, to, trigger, request } = change;
    // An event joins the flow of the event that caused it; a cancel by HTTP or by the deadline continues
    // the order's flow, whose correlation id is the order id (see PlaceOrderUseCase).
    const causedBy = request.causedBy ? { causedBy: request.causedBy } : { correlationId: orderId };
    switch (to) {
      case 'CONFIRMED':
        await this.outbox.add(manager, {
          definition: orderConfirmedEvent,
          data: { orderId, customerId },
          aggregateType: ORDER_AGGREGATE,
          ...causedBy,
        });
        return;
      case 'REJECTED': {
        const reason = request.rejectionReason;
        if (!reason) {
          throw new InvariantViolatedError(`A ${trigger} transition needs the rejection reason`, {
            details: { orderId, trigger },
          });
        }
        await this.outbox.add(manager, {
          definition: orderRejectedEvent,
          data: { orderId, customerId, reason },
          aggregateType: ORDER_AGGREGATE,
          ...causedBy,
        });
        return;
      }
      case 'CANCELLED': {
        const reason = CANCELLATION_REASON[trigger];
        if (!reason) {
          throw new InvariantViolatedError(`Trigger ${trigger} cancels without a cancellation reason`, {
            details: { orderId, trigger },
          });
        }
        await this.outbox.add(manager, {
          definition: orderCancelledEvent,
          data: { orderId, customerId, reason },
          aggregateType: ORDER_AGGREGATE,
          ...causedBy,
        });
        return;
      }
      case 'PENDING':
        // The state machine never leads back to PENDING (unit-tested); reaching this is a bug.
        throw new InvariantViolatedError(`Illegal target status PENDING for ${orderId}`, {
          details: { orderId, trigger },
        });
    }
  }
}

function causeOf(request: TransitionRequest): string {
  if (request.causedBy) return `${request.causedBy.type}/${request.causedBy.id}`;
  return request.actor ?? request.trigger;
}
