import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
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
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(READINESS_SETTINGS) private readonly readiness: ReadinessSettings,
  ) {}

  /**
   * Liveness: the process runs and serves HTTP. It checks no dependency on purpose: a database outage
   * must not make the orchestrator restart every replica, which would not bring the database back.
   */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: every PostgreSQL database answers `SELECT 1` and Kafka answers `describeCluster`. */
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
    return this.health.check(checks);
  }
}
