import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@orderstream/platform';
import { Counter, type Registry } from 'prom-client';
import type { StockTransition } from './stock-order.state-machine';

/**
 * Counts the transitions the state machine refused, on the service's registry (`/metrics`). Most are the
 * saga's normal races (the out-of-stock cancellation of an order inventory rejected); a rising rate of anything else
 * means a producer publishes duplicates or events out of order.
 */
@Injectable()
export class StockTransitionsMetrics {
  private readonly refused: Counter<'command' | 'from'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.refused = new Counter({
      name: 'inventory_refused_transitions_total',
      help: 'Events the stock order state machine refused to apply (duplicate, late or out of order)',
      labelNames: ['command', 'from'],
      registers: [registry],
    });
  }

  countRefused(transition: Extract<StockTransition, { kind: 'refused' }>): void {
    this.refused.inc({ command: transition.command, from: transition.from });
  }
}
