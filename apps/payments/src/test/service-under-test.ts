/**
 * Integration-test support: the payments service in-process against the real stack, in a database of the
 * test's own, with a publisher standing in for the other services' relay (see startServiceUnderTest).
 */
import { Topics } from '@orderstream/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE_NAME, paymentsConfigSchema } from '../config';
import { paymentsDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { paymentsConsumer } from '../payments.consumer';

export function startPayments(): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: paymentsConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: paymentsConsumer.name,
    infrastructure: infra,
    topics: Object.values(Topics),
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'payments_service', paymentsDataSourceOptions),
  });
}
