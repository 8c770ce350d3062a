/**
 * Integration-test support: the orders service in-process against the real stack, in a database and a Kafka
 * namespace of the test's own, with a publisher standing in for the other services' relay (see
 * startServiceUnderTest).
 */
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { topicsConsumedBy } from '@orderstream/system';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE, SERVICE_NAME, ordersConfigSchema } from '../config';
import { ordersDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { ordersConsumer } from '../orders.consumer';

/** `env` is merged over the harness's configuration (e.g. a short `SAGA_DEADLINE_MS`). */
export function startOrders(env: Record<string, string> = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: ordersConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: ordersConsumer.name,
    infrastructure: infra,
    // The topics of others it consumes; its own it creates at boot, as deployed.
    topics: SERVICE.consumerGroups.flatMap((group) => topicsConsumedBy(group)),
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'orders_service', ordersDataSourceOptions),
    env,
  });
}
