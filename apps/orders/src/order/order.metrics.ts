/**
 * The orders service's own metrics, registered in the service's registry (the one `/metrics` serves).
 * prom-client comes with @orderstream/platform, which creates that registry.
 */
import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@orderstream/platform';
import { Counter, type Registry } from 'prom-client';
import type { OrderStatus } from '../database';
import type { OrderTrigger } from './order.state-machine';

@Injectable()
export class OrderMetrics {
  /** A trigger that found its order in a status it cannot move from: a duplicate, late or out-of-order event. */
  private readonly illegalTransitions: Counter<'from' | 'trigger'>;
  /** An event about an order this database does not have (another environment's, or a bug upstream). */
  private readonly unknownOrders: Counter<'trigger'>;
  private readonly transitions: Counter<'from' | 'to' | 'trigger'>;
  /** What the orchestrated sagas did (SAGA_MODE=orchestration). */
  private readonly sagaOutcomes: Counter<'saga' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.illegalTransitions = new Counter({
      name: 'orders_illegal_transitions_total',
      help: 'Triggers skipped because the order was not in a status they apply to (duplicate, late or out-of-order events)',
      labelNames: ['from', 'trigger'],
      registers: [registry],
    });
    this.unknownOrders = new Counter({
      name: 'orders_unknown_order_events_total',
      help: 'Saga events skipped because their order does not exist in this database',
      labelNames: ['trigger'],
      registers: [registry],
    });
    this.transitions = new Counter({
      name: 'orders_transitions_total',
      help: 'Order status transitions applied',
      labelNames: ['from', 'to', 'trigger'],
      registers: [registry],
    });
    this.sagaOutcomes = new Counter({
      name: 'orders_saga_outcomes_total',
      help:
        'Orchestrated saga instances by what happened to them: started, advanced, completed, failed, retried ' +
        '(a command sent again after its timeout), compensating, compensated, stuck; saga "none" with ' +
        'outcome "uncorrelated" counts replies no saga awaited (duplicates, late replies)',
      labelNames: ['saga', 'outcome'],
      registers: [registry],
    });
  }

  sagaOutcome(saga: string, outcome: string): void {
    this.sagaOutcomes.inc({ saga, outcome });
  }

  illegalTransition(from: OrderStatus, trigger: OrderTrigger): void {
    this.illegalTransitions.inc({ from, trigger });
  }

  unknownOrder(trigger: OrderTrigger): void {
    this.unknownOrders.inc({ trigger });
  }

  transition(from: OrderStatus, to: OrderStatus, trigger: OrderTrigger): void {
    this.transitions.inc({ from, to, trigger });
  }
}
