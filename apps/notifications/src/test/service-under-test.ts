/**
 * Integration-test support: the notifications service in-process against the real stack, in a database of
 * the test's own, with a publisher standing in for orders' relay (see startServiceUnderTest).
 */
import { Topics } from '@orderstream/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, testInfrastructure } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { SERVICE_NAME, notificationsConfigSchema } from '../config';
import { notificationsDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { notificationsConsumer } from '../notifications.consumer';

export function startNotifications(env: Record<string, string> = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: notificationsConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: notificationsConsumer.name,
    infrastructure: infra,
    topics: [Topics.orders],
    env: { INSTANCE_ID: 'notifications-test', ...env },
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'notifications_service', notificationsDataSourceOptions),
  });
}
