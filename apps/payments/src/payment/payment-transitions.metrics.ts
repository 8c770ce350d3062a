import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@orderstream/platform';
import { Counter, type Registry } from 'prom-client';
import type { PaymentTransition } from './payment.state-machine';

/**
 * Counts the transitions the state machine refused, on the service's registry (`/metrics`). Most are the
 * saga's normal races (a refund requested twice by two compensations); a rising rate of anything else
 * means a producer publishes duplicates or events out of order.
 */
@Injectable()
export class PaymentTransitionsMetrics {
  private readonly refused: Counter<'command' | 'from'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.refused = new Counter({
      name: 'payments_refused_transitions_total',
      help: 'Events the payment state machine refused to apply (duplicate, late or out of order)',
      labelNames: ['command', 'from'],
      registers: [registry],
    });
  }

  countRefused(transition: Extract<PaymentTransition, { kind: 'refused' }>): void {
    this.refused.inc({ command: transition.command, from: transition.from });
  }
}
