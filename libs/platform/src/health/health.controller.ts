import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { HEALTH_DATA_SOURCES, PLATFORM_OPTIONS } from '../platform.tokens';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { KafkaHealthIndicator } from './kafka.health-indicator';

/** A DataSource the readiness check pings, with the name it is reported under. */
export interface CheckedDataSource {
  name: string;
  dataSource: DataSource;
}

@Controller('health')
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  private readonly timeoutMs: number;

  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(HEALTH_DATA_SOURCES) private readonly dataSources: readonly CheckedDataSource[],
    @Inject(PLATFORM_OPTIONS) options: { readinessTimeoutMs: number },
  ) {
    this.timeoutMs = options.readinessTimeoutMs;
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

  /** Readiness: every PostgreSQL database answers `SELECT 1` and Kafka answers `describeCluster`. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = this.dataSources.map(
      ({ name, dataSource }) =>
        () =>
          this.postgres.pingCheck(`postgres:${name}`, { connection: dataSource }).withTimeout(this.timeoutMs),
    );
    checks.push(() => this.kafka.isHealthy('kafka', this.timeoutMs));
    return this.health.check(checks);
  }
}
