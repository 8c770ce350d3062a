import { Controller, Inject, UseFilters } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { MessagingHealthIndicator } from '@orderstream/messaging/nest';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Route } from '../http/route.decorator';
import { defineRoute } from '../http/route-contract';
import { READINESS_CHECKS, READINESS_SETTINGS } from '../platform.tokens';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { KafkaHealthIndicator } from './kafka.health-indicator';
import type { ReadinessCheck } from './readiness-check';

export interface ReadinessSettings {
  /** The DataSources to ping, each with the name it is reported under (`postgres:<name>`). */
  dataSources: readonly { name: string; dataSource: DataSource }[];
  /** How long one check of one dependency may take before it counts as down. */
  timeoutMs: number;
}

/** Per dependency: `up` or `down`, and what the check found. */
const healthIndicatorResults = z.record(
  z.string(),
  z.looseObject({ status: z.string().meta({ example: 'up' }) }),
);

/** Terminus's body, on success and on failure alike (what probes and dashboards expect, not a problem). */
const healthCheckResultSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: healthIndicatorResults.optional(),
    error: healthIndicatorResults.optional(),
    details: healthIndicatorResults,
  })
  .meta({ id: 'HealthCheckResult' });

export const livenessRoute = defineRoute({
  method: 'get',
  path: '/health/live',
  operationId: 'liveness',
  summary: 'Liveness: the process serves HTTP (no dependency is checked)',
  tags: ['operations'],
  responses: { 200: { description: 'Alive', schema: healthCheckResultSchema } },
});

export const readinessRoute = defineRoute({
  method: 'get',
  path: '/health/ready',
  operationId: 'readiness',
  summary: 'Readiness: PostgreSQL, Kafka and the consumer groups are up',
  tags: ['operations'],
  responses: {
    200: { description: 'Ready: every dependency is up', schema: healthCheckResultSchema },
    503: { description: 'Not ready: `error` says which dependency is down', schema: healthCheckResultSchema },
  },
});

@Controller()
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  /** Resolved on the first readiness probe, once every module is up; null when there is none. */
  private messaging: MessagingHealthIndicator | null | undefined;
  /** The service's own checks (`READINESS_CHECKS`), resolved like `messaging`. */
  private ownChecks: readonly ReadinessCheck[] | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(READINESS_SETTINGS) private readonly readiness: ReadinessSettings,
    private readonly modules: ModuleRef,
  ) {}

  /**
   * The messaging module's indicator when the service has one (serviceMessagingModule), else undefined
   * (the outbox relay only produces). Looked up across modules rather than injected: the platform module
   * is imported by every service, the messaging module only by some.
   */
  private messagingIndicator(): MessagingHealthIndicator | undefined {
    if (this.messaging === undefined) {
      try {
        this.messaging = this.modules.get(MessagingHealthIndicator, { strict: false });
      } catch {
        this.messaging = null;
      }
    }
    return this.messaging ?? undefined;
  }

  private serviceChecks(): readonly ReadinessCheck[] {
    if (this.ownChecks === undefined) {
      try {
        this.ownChecks = this.modules.get<symbol, ReadinessCheck[]>(READINESS_CHECKS, { strict: false });
      } catch {
        this.ownChecks = [];
      }
    }
    return this.ownChecks;
  }

  private async runCheck(own: ReadinessCheck) {
    const indicator = this.indicators.check(own.name);
    try {
      const { ready, details } = await own.check();
      return ready ? indicator.up(details) : indicator.down(details);
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /**
   * Liveness: the process runs and serves HTTP. It checks no dependency on purpose: a database outage
   * must not make the orchestrator restart every replica, which would not bring the database back.
   */
  @Route(livenessRoute)
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: every PostgreSQL database answers `SELECT 1`, Kafka answers `describeCluster`, and, in a
   * service that consumes, its producer is connected and every consumer group has joined (a service
   * whose consumer crashed is not ready, though it still answers HTTP), and the service's own checks
   * (`READINESS_CHECKS`) hold.
   */
  @Route(readinessRoute)
  @HealthCheck()
  ready() {
    const { dataSources, timeoutMs } = this.readiness;
    const checks: HealthIndicatorFunction[] = dataSources.map(
      ({ name, dataSource }) =>
        () =>
          this.postgres.pingCheck(`postgres:${name}`, { connection: dataSource }).withTimeout(timeoutMs),
    );
    checks.push(() => this.kafka.isHealthy('kafka', timeoutMs));
    const messaging = this.messagingIndicator();
    if (messaging) checks.push(() => messaging.isHealthy('messaging'));
    for (const own of this.serviceChecks()) checks.push(() => this.runCheck(own));
    return this.health.check(checks);
  }
}
