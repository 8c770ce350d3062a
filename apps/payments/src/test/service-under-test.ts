/**
 * Integration-test support: the payments service in-process against the real stack, in a database of the
 * test's own, with a publisher standing in for the other services' relay (see startServiceUnderTest).
 */
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { topicsConsumedBy } from '@orderstream/system';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE, SERVICE_NAME, paymentsConfigSchema } from '../config';
import { paymentsDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { paymentsConsumer } from '../payments.consumer';

/** `options.namespace`: run in a namespace the test prepared (default a fresh one). */
export function startPayments(options: { namespace?: string } = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: paymentsConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: paymentsConsumer.name,
    infrastructure: infra,
    // The topics of others it consumes; its own it creates at boot, as deployed.
    topics: SERVICE.consumerGroups.flatMap((group) => topicsConsumedBy(group)),
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'payments_service', paymentsDataSourceOptions),
    ...options,
  });
}
