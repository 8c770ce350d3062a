/**
 * `orders_sagas_past_deadline{mode}`: what the deadline poller should have handled and has not. The
 * poller handles an expired order (choreography) or saga step (orchestration) within one poll, so a count
 * that stays above 0 means it cannot (a database problem, a poller that died, a bug): the
 * SagasPastDeadline alert (ops/prometheus/alerts.yml) fires on it. Counted at scrape time, on the
 * database's clock like the poller.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { METRICS_REGISTRY } from '@orderstream/platform';
import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { OrderSagaOrchestrator } from '../order-saga/order-saga.orchestrator';
import { SAGA_DEADLINE_SETTINGS, type SagaDeadlineSettings } from './saga-deadline.poller';

@Injectable()
export class SagaDeadlineGauge {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(SAGA_DEADLINE_SETTINGS) settings: SagaDeadlineSettings,
    sagas: OrderSagaOrchestrator,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const mode = sagas.mode;
    new Gauge({
      name: 'orders_sagas_past_deadline',
      help:
        'Sagas past their deadline and not handled yet: PENDING orders older than SAGA_DEADLINE_MS (choreography), ' +
        'or saga instances whose step deadline has passed (orchestration); counted at scrape time',
      labelNames: ['mode'],
      registers: [registry],
      async collect() {
        const sql =
          mode === 'orchestration'
            ? 'SELECT count(*)::int AS n FROM saga_instances WHERE deadline IS NOT NULL AND deadline < now()'
            : `SELECT count(*)::int AS n FROM orders
                WHERE status = 'PENDING' AND created_at <= now() - make_interval(secs => $1::double precision / 1000)`;
        try {
          const rows = (await dataSource.query(
            sql,
            mode === 'orchestration' ? [] : [settings.deadlineMs],
          )) as {
            n: number;
          }[];
          this.set({ mode }, rows[0]?.n ?? 0);
        } catch {
          // The database is away: the scrape keeps the last value rather than failing /metrics.
        }
      },
    });
  }
}
