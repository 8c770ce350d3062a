/**
 * Integration-test support: the order-history service in-process against the real stack, in a database of the
 * test's own, with a publisher standing in for the other services' relay (see startServiceUnderTest).
 */
import { Topics } from '@orderstream/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, testInfrastructure, uniqueName } from '@orderstream/testing';
import type { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { SERVICE_NAME, orderHistoryConfigSchema } from '../config';
import { orderHistoryDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { orderHistoryConsumer } from '../order-history.consumer';

/** A local development token for tests only; never a real secret. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-not-a-secret';

export interface OrderHistoryUnderTestOptions {
  /** Share a namespace with another instance (a reference projection, a restart). */
  namespace?: string;
  /** Reuse a database (a restart); the harness then leaves it to the caller. */
  database?: DataSource;
  /** The projection code's version (default the code's). */
  projectionVersion?: number;
  env?: Record<string, string>;
}

const SAGA_TOPICS = [Topics.orders, Topics.payments, Topics.inventory];

export function startOrderHistory(options: OrderHistoryUnderTestOptions = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  const { database } = options;
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: orderHistoryConfigSchema,
    rootModule: (config) =>
      AppModule.register(
        config,
        options.projectionVersion !== undefined ? { projectionVersion: options.projectionVersion } : {},
      ),
    configure: (app) => setupOpenApi(app),
    consumerGroup: orderHistoryConsumer.name,
    infrastructure: infra,
    topics: SAGA_TOPICS,
    env: { ADMIN_TOKEN: TEST_ADMIN_TOKEN, PROJECTION_POLL_INTERVAL_MS: '50', ...options.env },
    ...(options.namespace ? { namespace: options.namespace } : {}),
    createDatabase: database
      ? () => Promise.resolve({ dataSource: database, dispose: () => Promise.resolve() })
      : () =>
          createMigratedDatabase(
            infra.postgresUrl,
            uniqueName('order_history'),
            orderHistoryDataSourceOptions,
          ),
  });
}
