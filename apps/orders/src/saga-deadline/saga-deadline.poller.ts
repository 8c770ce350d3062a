/**
 * The saga's deadline: an order still PENDING `SAGA_DEADLINE_MS` after it was placed is cancelled with
 * reason `deadline` (OrderCancelled: payments refunds if it authorized, inventory releases if it reserved).
 *
 * Every instance of the service polls. `FOR UPDATE SKIP LOCKED` hands each expired order to exactly one of
 * them: an instance skips rows another is cancelling instead of waiting for them and cancelling again
 * (which the state machine would refuse anyway, but only after the wait). The deadline is measured with
 * the database's clock, the same one that stamped `created_at`, so instances' clocks need not agree.
 *
 * Orchestrated (SAGA_MODE=orchestration), the poller hands the sagas' expired step deadlines to the
 * orchestrator instead (also SKIP LOCKED), which sends a command again, or fails the step and cancels the
 * order.
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { OrderTransitions } from '../order/order-transitions';
import { OrderSagaOrchestrator } from '../order-saga/order-saga.orchestrator';

export const SAGA_DEADLINE_SETTINGS = Symbol('SAGA_DEADLINE_SETTINGS');

export interface SagaDeadlineSettings {
  deadlineMs: number;
  pollIntervalMs: number;
  /** Orders cancelled per transaction; a full batch makes the poller go again at once. */
  batchSize: number;
}

@Injectable()
export class SagaDeadlinePoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly logger: ServiceLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly sagas: OrderSagaOrchestrator,
    @Inject(SAGA_DEADLINE_SETTINGS) private readonly settings: SagaDeadlineSettings,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
  ) {
    this.logger = logger.child({ component: 'saga-deadline' });
  }

  onApplicationBootstrap(): void {
    this.schedule(this.settings.pollIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Let a pass in progress commit before the DataSource closes.
    await this.running;
  }

  /** Cancels the orders whose deadline has passed, one batch; returns how many. */
  async expireBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = (await manager.query(
        `SELECT id FROM orders
          WHERE status = 'PENDING' AND created_at <= now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY created_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [this.settings.deadlineMs, this.settings.batchSize],
      )) as { id: string }[];
      for (const { id } of due) {
        await this.transitions.apply(manager, {
          orderId: id,
          trigger: 'deadline-passed',
          actor: 'saga-deadline',
          logger: this.logger,
        });
      }
      return due.length;
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    let cancelled = 0;
    try {
      if (this.sagas.orchestrating) {
        // Orchestrated, the deadline is each step's: the saga retries, fails or compensates it.
        cancelled = await this.sagas.processDeadlines(this.dataSource, this.settings.batchSize);
        if (cancelled > 0) this.logger.info({ changed: cancelled }, 'saga steps past their deadline handled');
      } else {
        cancelled = await this.expireBatch();
        if (cancelled > 0) this.logger.info({ cancelled }, 'orders past their saga deadline cancelled');
      }
    } catch (error) {
      // Logged and retried at the next poll: a database blip must not end the poller.
      this.logger.error({ err: error }, 'saga deadline pass failed');
    }
    this.schedule(cancelled === this.settings.batchSize ? 0 : this.settings.pollIntervalMs);
  }
}
