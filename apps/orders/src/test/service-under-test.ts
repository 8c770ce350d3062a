/**
 * Integration-test support: the orders service in-process against the real stack, in a database and a Kafka
 * namespace of the test's own, with a publisher standing in for the other services' relay (see
 * startServiceUnderTest).
 */
import { stockLevelChangedEvent, type StockLevelChanged } from '@orderstream/contracts';
import { event, type BatchEvent } from '@orderstream/messaging';
import { request, startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { topicsConsumedBy } from '@orderstream/system';
import { createMigratedDatabase, testInfrastructure, waitFor } from '@orderstream/testing';
import type { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { SERVICE, SERVICE_NAME, ordersConfigSchema } from '../config';
import { ordersDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';
import { ordersConsumer } from '../orders.consumer';

/**
 * The stock levels inventory announces for the demo's stock (its seed migration), which the tests order
 * from: the replica starts with them, as it would beside a running inventory.
 */
export const DEMO_STOCK_LEVELS: readonly StockLevelChanged[] = [
  { sku: 'SKU-BLUE-MUG', available: 1000, reserved: 0, version: 1 },
  { sku: 'SKU-LIMITED', available: 10, reserved: 0, version: 1 },
  { sku: 'SKU-POSTER', available: 200, reserved: 0, version: 1 },
  { sku: 'SKU-RED-MUG', available: 1000, reserved: 0, version: 1 },
  { sku: 'SKU-TEE-L', available: 500, reserved: 0, version: 1 },
  { sku: 'SKU-TEE-M', available: 500, reserved: 0, version: 1 },
];

export interface StartOrdersOptions {
  /** Merged over the harness's configuration (e.g. a short `SAGA_DEADLINE_MS`). */
  env?: Record<string, string>;
  /**
   * What is published on `inventory.stock-levels` before orders starts (levels and tombstones); default
   * `DEMO_STOCK_LEVELS`. Nothing for a restart on a namespace that has them already.
   */
  stockEvents?: readonly BatchEvent[];
  /** Share a namespace with an earlier instance (a restart). */
  namespace?: string;
  /** Reuse a database (a restart); the harness then leaves it to the caller. */
  database?: DataSource;
}

/**
 * Starts orders and waits until it is ready, which includes its stock replica having read the levels
 * published before it started.
 */
export async function startOrders(options: StartOrdersOptions = {}): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  const stockEvents =
    options.stockEvents ?? DEMO_STOCK_LEVELS.map((level) => event(stockLevelChangedEvent, level));
  const { database } = options;
  const service = await startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: ordersConfigSchema,
    rootModule: (config) => AppModule.register(config),
    configure: (app) => setupOpenApi(app),
    consumerGroup: ordersConsumer.name,
    infrastructure: infra,
    // The topics of others it consumes; its own it creates at boot, as deployed.
    topics: SERVICE.consumerGroups.flatMap((group) => topicsConsumedBy(group)),
    createDatabase: database
      ? () => Promise.resolve({ dataSource: database, dispose: () => Promise.resolve() })
      : () => createMigratedDatabase(infra.postgresUrl, 'orders_service', ordersDataSourceOptions),
    env: options.env ?? {},
    ...(options.namespace ? { namespace: options.namespace } : {}),
    beforeStart: async (publisher) => {
      if (stockEvents.length > 0) await publisher.publishBatch(stockEvents);
    },
  });
  try {
    await waitFor(async () => (await request(service.baseUrl, 'GET', '/health/ready')).status === 200, {
      description: 'orders ready, its stock replica caught up',
      timeoutMs: 60_000,
    });
  } catch (error) {
    await service.close();
    throw error;
  }
  return service;
}
