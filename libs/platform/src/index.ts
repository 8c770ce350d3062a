/**
 * Public API of @orderstream/platform, the NestJS wiring every service shares. Anything not exported here
 * is internal.
 */
export { bootstrapService, type ServiceDefinition } from './bootstrap/bootstrap-service';
export { installGracefulShutdown, type GracefulShutdownOptions } from './bootstrap/graceful-shutdown';

export { ConfigError, type ConfigProblem } from './config/config.error';
export {
  LOG_LEVELS,
  brokerList,
  httpUrl,
  logLevel,
  namedPostgresUrls,
  port,
  positiveInt,
  postgresUrl,
  type LogLevel,
} from './config/env-fields';
export { loadConfig } from './config/load-config';
export {
  serviceConfigSchema,
  type ServiceConfig,
  type ServiceIdentity,
} from './config/service-config.schema';

export { bigintTransformer } from './database/bigint.transformer';
export { DatabaseLogger } from './database/database.logger';
export { updateReturning } from './database/update-returning';
export {
  postgresDataSourceOptions,
  type PostgresDataSourceSettings,
} from './database/postgres-data-source.options';

export { KafkaHealthIndicator } from './health/kafka.health-indicator';

export {
  PROBLEM_JSON,
  problemDetailsFor,
  type ProblemContext,
  type ProblemDetails,
} from './http/problem-details';
export { ProblemDetailsFilter } from './http/problem-details.filter';
export { ZodValidationPipe } from './http/zod-validation.pipe';

export { REQUEST_ID_HEADER } from './logging/request-id';
export { createServiceLogger, type ServiceLogger, type ServiceLoggerOptions } from './logging/service-logger';

export { PlatformModule, type PlatformOptions } from './platform.module';
export { KAFKA_CLIENT, METRICS_REGISTRY, SERVICE_LOGGER } from './platform.tokens';
export { serviceMessagingModule, type ServiceMessagingOptions } from './messaging/service-messaging.module';
