/**
 * The whole life of a service process: validate the environment, build the Nest application, serve HTTP,
 * shut down on a signal. A service's main.ts is one call.
 */
import { ConsoleLogger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { ConfigError } from '../config/config.error';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config.schema';
import { configureHttp } from '../http/configure-http';
import { createServiceLogger, type ServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';
import { startTracing } from '../tracing/tracing';
import { installGracefulShutdown } from './graceful-shutdown';

export interface ServiceDefinition<S extends z.ZodType<ServiceConfig>> {
  name: string;
  /** The service's schema, built on `serviceConfigSchema`. */
  configSchema: S;
  /** The root module for the validated configuration; it imports `PlatformModule.forRoot(…)`. */
  rootModule: (config: z.output<S>) => DynamicModule | Type<unknown>;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Runs after the application is built and before it listens: the place for app-level HTTP setup such
   * as serving the OpenAPI document and UI (`SwaggerModule.setup`).
   */
  configure?: (app: INestApplication, config: z.output<S>) => void | Promise<void>;
}

/**
 * Starts the service and returns the listening application. Owns the process: on invalid configuration
 * or a failed start it logs one fatal line and exits with code 1, and it installs the SIGTERM/SIGINT
 * handlers (see installGracefulShutdown). Tests create an application from the root module themselves.
 */
export async function bootstrapService<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
): Promise<INestApplication> {
  const config = configOrExit(definition);
  const bootLogger = createServiceLogger({ service: definition.name, level: config.LOG_LEVEL });
  // Before anything is built: the spans of the start itself and the first requests need the provider.
  const tracing = startTracing({ config });

  try {
    const app = await NestFactory.create(definition.rootModule(config), {
      // Nest's start-up lines wait for pino (useLogger below). If the start fails before that, they are
      // flushed through this fallback, which at least writes JSON.
      bufferLogs: true,
      logger: new ConsoleLogger({ json: true }),
      // Throw instead of aborting the process, so the failure is logged below with its cause.
      abortOnError: false,
      // Requests that arrive on a kept-alive connection during shutdown get 503 and `Connection: close`.
      return503OnClosing: true,
    });
    app.useLogger(app.get(Logger));
    const logger = app.get<ServiceLogger>(SERVICE_LOGGER);
    installGracefulShutdown(app, {
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      afterClose: () => tracing.shutdown(),
    });
    configureHttp(app);
    await definition.configure?.(app, config);
    await app.listen(config.PORT, config.HOST);
    logger.info(
      { host: config.HOST, port: config.PORT, tracesExportedTo: tracing.exportsTo ?? 'nowhere' },
      'service started',
    );
    return app;
  } catch (error) {
    // Exiting releases whatever the partial start acquired; PostgreSQL rolls back an interrupted migration.
    bootLogger.fatal({ err: error }, 'service failed to start');
    process.exit(1);
  }
}

function configOrExit<S extends z.ZodType<ServiceConfig>>(definition: ServiceDefinition<S>): z.output<S> {
  try {
    return loadConfig(definition.configSchema, definition.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // LOG_LEVEL itself may be what is wrong, so this line is logged at the default level.
    createServiceLogger({ service: definition.name, level: 'info' }).fatal(
      { code: error.code, problems: error.problems },
      error.message,
    );
    process.exit(1);
  }
}
