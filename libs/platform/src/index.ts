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
export type { ReadinessCheck } from './health/readiness-check';

export {
  PROBLEM_JSON,
  PROBLEM_TYPE_PREFIX,
  problemDetailsFor,
  problemTypeFor,
  statusProblemType,
  type ProblemContext,
  type ProblemDetails,
} from './http/problem-details';
export { ProblemDetailsFilter } from './http/problem-details.filter';
export { problemSchema } from './http/problem.schema';
export { INVALID_REQUEST_TYPE, invalidRequest, type FieldError } from './http/invalid-request';
export {
  defineRoute,
  type HttpMethod,
  type RouteContract,
  type RouteRequest,
  type RouteResponse,
  type ValidatedRequest,
} from './http/route-contract';
export { Route } from './http/route.decorator';
export { ValidRequest } from './http/valid-request.decorator';
export { validateRequest, type IncomingRequestParts } from './http/request-validation';
export { httpRoutesOf, type HttpRoute } from './http/http-routes';
export { openApiDocument, type OpenApiDocument, type OpenApiInfo } from './http/openapi-document';
export { OPENAPI_JSON_PATH, OPENAPI_UI_PATH, openApiDocumentOf, serveOpenApi } from './http/serve-openapi';
export { ASYNCAPI_JSON_PATH, serveAsyncApi } from './http/serve-asyncapi';
export { JSON_BODY_LIMIT, configureHttp } from './http/configure-http';

export { REQUEST_ID_HEADER } from './logging/request-id';
export { createServiceLogger, type ServiceLogger, type ServiceLoggerOptions } from './logging/service-logger';

export {
  startTracing,
  samplerOf,
  tracesEndpointOf,
  TRACE_SAMPLERS,
  type TraceSamplerName,
  type Tracing,
  type TracingConfig,
  type TracingOptions,
} from './tracing/tracing';
export { httpTracingMiddleware } from './tracing/http-tracing.middleware';

export { PlatformModule, type PlatformOptions } from './platform.module';
export { KAFKA_CLIENT, METRICS_REGISTRY, READINESS_CHECKS, SERVICE_LOGGER } from './platform.tokens';
export { serviceMessagingModule, type ServiceMessagingOptions } from './messaging/service-messaging.module';
