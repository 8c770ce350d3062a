/**
 * Integration-test support: the order-history service in-process against the real stack, in a database of the
 * test's own, with a publisher standing in for the other services' relay (see startServiceUnderTest).
 */
import { Topics } from '@orderstream/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE_NAME, orderHistoryConfigSchema } from '../config';
import { orderHistoryDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { orderHistoryConsumer } from '../order-history.consumer';

export function startOrderHistory(): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: orderHistoryConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: orderHistoryConsumer.name,
    infrastructure: infra,
    topics: Object.values(Topics),
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'order_history_service', orderHistoryDataSourceOptions),
  });
}
