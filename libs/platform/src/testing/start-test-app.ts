/**
 * A service's Nest application in-process for a test: the test's counterpart of bootstrapService. It
 * builds the same root module and runs the same app-level setup as the service's main.ts, but the test
 * owns the process: the configuration comes from the test rather than process.env, Nest's own logger is
 * off, a failed start throws instead of exiting, no signal handlers are installed, and it listens on a
 * free port of the loopback interface.
 */
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { z } from 'zod';
import type { ServiceDefinition } from '../bootstrap/bootstrap-service';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config.schema';
import { configureHttp } from '../http/configure-http';

/** What a test needs of a service's definition to build it (the name and process environment it sets itself). */
export type TestAppDefinition<S extends z.ZodType<ServiceConfig>> = Pick<
  ServiceDefinition<S>,
  'configSchema' | 'rootModule' | 'configure'
>;

export interface TestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
}

/** Starts the application with `env` as its whole environment; the caller closes `app`. */
export async function startTestApp<S extends z.ZodType<ServiceConfig>>(
  definition: TestAppDefinition<S>,
  env: Record<string, string>,
): Promise<TestApp> {
  const config = loadConfig(definition.configSchema, env);
  const app = await NestFactory.create(definition.rootModule(config), { logger: false, abortOnError: false });
  try {
    configureHttp(app);
    await definition.configure?.(app, config);
    // Port 0: the OS picks a free one, whatever config.PORT says.
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}
