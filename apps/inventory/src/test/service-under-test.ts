/**
 * Integration-test support: the inventory service in-process against the real stack, in a database of the
 * test's own, with a publisher standing in for the other services' relay (see startServiceUnderTest).
 */
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { serviceIn, topicsConsumedBy, type SagaMode } from '@orderstream/system';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE, SERVICE_NAME, inventoryConfigSchema } from '../config';
import { inventoryDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { inventoryConsumer } from '../inventory.consumer';

/** `sagaMode`: the saga's mode (default choreography: reacting to events; orchestration: handling commands). */
export function startInventory(options: { sagaMode?: SagaMode } = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  const sagaMode = options.sagaMode ?? 'choreography';
  const owned = new Set(SERVICE.topics.map((t) => t.name));
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: inventoryConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: inventoryConsumer.name,
    infrastructure: infra,
    // The topics of others it consumes; its own it creates at boot, as deployed.
    topics: serviceIn(SERVICE_NAME, sagaMode)
      .consumerGroups.flatMap((group) => topicsConsumedBy(group))
      .filter((topic) => !owned.has(topic)),
    env: { SAGA_MODE: sagaMode },
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'inventory_service', inventoryDataSourceOptions),
  });
}
