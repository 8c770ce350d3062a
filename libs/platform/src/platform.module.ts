/**
 * The framework wiring every service shares: JSON logs with request ids, problem+json errors, health,
 * metrics, the Kafka client and the service's PostgreSQL DataSources. A service's root module imports
 * `PlatformModule.forRoot(…)` once and adds its own use cases next to it.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { namespacedKafkaClient } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { ServiceConfig } from './config/service-config.schema';
import { DatabaseLogger } from './database/database.logger';
import { HealthController, type ReadinessSettings } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health-indicator';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { httpLoggingOptions } from './logging/http-logging.options';
import { createServiceLogger, type ServiceLogger } from './logging/service-logger';
import { createMetricsRegistry } from './metrics/metrics-registry';
import { MetricsController } from './metrics/metrics.controller';
import { KAFKA_CLIENT, METRICS_REGISTRY, READINESS_SETTINGS, SERVICE_LOGGER } from './platform.tokens';

export interface PlatformOptions {
  /** Short, stable service name (`orders`): in every log line and on every metric. */
  service: string;
  config: ServiceConfig;
  /**
   * The database the service owns, registered as the default DataSource (`@InjectDataSource()`,
   * `@InjectRepository(Entity)`); `name` labels its health check and log lines.
   */
  database?: { name: string; options: DataSourceOptions };
  /**
   * Databases owned by other services that this one reads (the outbox relay reads their outboxes), each
   * registered as a DataSource under its key (`@InjectDataSource('orders')`).
   */
  externalDatabases?: Record<string, DataSourceOptions>;
  /** How long one readiness check of one dependency may take. Default 2000 ms. */
  readinessTimeoutMs?: number;
}

/**
 * Ride out a database that comes up a few seconds after the service (compose, a fresh CI machine). Past
 * that the boot fails, and the orchestrator's restart back-off takes over.
 */
const DATABASE_CONNECT_ATTEMPTS = 5;
const DATABASE_RETRY_DELAY_MS = 2_000;

interface DatabaseRegistration {
  name: string;
  /** undefined for the default DataSource. */
  dataSourceName: string | undefined;
  options: DataSourceOptions;
}

@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const logger = createServiceLogger({ service: options.service, level: options.config.LOG_LEVEL });
    const databases = databaseRegistrations(options);

    const providers: Provider[] = [
      { provide: SERVICE_LOGGER, useValue: logger },
      { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(options.service) },
      {
        provide: KAFKA_CLIENT,
        useFactory: () =>
          namespacedKafkaClient(
            createKafkaJsClient({
              brokers: options.config.KAFKA_BROKERS,
              clientId: options.config.KAFKA_CLIENT_ID,
              // The adapter tags its lines with `component: 'kafkajs'` itself.
              logger,
            }),
            options.config.KAFKA_NAMESPACE,
          ),
      },
      {
        provide: READINESS_SETTINGS,
        inject: databases.map((db) => getDataSourceToken(db.dataSourceName)),
        useFactory: (...dataSources: DataSource[]): ReadinessSettings => ({
          dataSources: databases.map((db, i) => ({
            name: db.name,
            dataSource: dataSources[i] as DataSource,
          })),
          timeoutMs: options.readinessTimeoutMs ?? 2_000,
        }),
      },
      KafkaHealthIndicator,
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    ];

    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(httpLoggingOptions(logger)),
        // Failed checks are logged by HealthCheckFailedFilter, with the request id.
        TerminusModule.forRoot({ logger: false }),
        ...databases.map((db) => typeOrmModuleFor(db, logger)),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [SERVICE_LOGGER, METRICS_REGISTRY, KAFKA_CLIENT],
    };
  }
}

function databaseRegistrations(options: PlatformOptions): DatabaseRegistration[] {
  const registrations: DatabaseRegistration[] = [];
  if (options.database) {
    registrations.push({
      name: options.database.name,
      dataSourceName: undefined,
      options: options.database.options,
    });
  }
  for (const [name, dataSourceOptions] of Object.entries(options.externalDatabases ?? {})) {
    if (name === 'default') {
      // @nestjs/typeorm would silently merge it with the service's own DataSource.
      throw new Error('externalDatabases: "default" is reserved for the service\'s own database');
    }
    registrations.push({ name, dataSourceName: name, options: dataSourceOptions });
  }
  return registrations;
}

function typeOrmModuleFor(db: DatabaseRegistration, logger: ServiceLogger): DynamicModule {
  return TypeOrmModule.forRoot(
    {
      ...db.options,
      logger: new DatabaseLogger(logger, db.name),
      retryAttempts: DATABASE_CONNECT_ATTEMPTS,
      retryDelay: DATABASE_RETRY_DELAY_MS,
      verboseRetryLog: true,
    },
    db.dataSourceName,
  );
}
