import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { MessagingHealthIndicator } from '@orderstream/messaging/nest';
import type { DataSource } from 'typeorm';
import { READINESS_SETTINGS } from '../platform.tokens';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { KafkaHealthIndicator } from './kafka.health-indicator';

export interface ReadinessSettings {
  /** The DataSources to ping, each with the name it is reported under (`postgres:<name>`). */
  dataSources: readonly { name: string; dataSource: DataSource }[];
  /** How long one check of one dependency may take before it counts as down. */
  timeoutMs: number;
}

@Controller('health')
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  /** Resolved on the first readiness probe, once every module is up; null when there is none. */
  private messaging: MessagingHealthIndicator | null | undefined;

  constructor(
    private readonly health: HealthCheckService,
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

  /**
   * Liveness: the process runs and serves HTTP. It checks no dependency on purpose: a database outage
   * must not make the orchestrator restart every replica, which would not bring the database back.
   */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: every PostgreSQL database answers `SELECT 1`, Kafka answers `describeCluster`, and, in a
   * service that consumes, its producer is connected and every consumer group has joined (a service
   * whose consumer crashed is not ready, though it still answers HTTP).
   */
  @Get('ready')
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
    return this.health.check(checks);
  }
}
