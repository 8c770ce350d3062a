import { messagingMigrations } from '@orderstream/messaging/postgres';
import { sagaMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
import { OrderLinesHistoryIdempotency1764400000000 } from './migrations/1764400000000-order-lines-history-idempotency';
import { SeedCatalog1764400000001 } from './migrations/1764400000001-seed-catalog';
import { CreateStockReplica1796400000000 } from './migrations/1796400000000-create-stock-replica';
import { OrderEntity } from './order.entity';

/** Every entity of the orders database. */
export const ORDERS_ENTITIES = [OrderEntity];

/**
 * Every migration of the orders database, oldest first: the messaging outbox and inbox sit between the
 * first schema and the saga's tables, in timestamp order.
 */
export const ORDERS_MIGRATIONS = [
  InitialSchema1764230400000,
  ...messagingMigrations(),
  OrderLinesHistoryIdempotency1764400000000,
  SeedCatalog1764400000001,
  // The orchestrated saga's instances (SAGA_MODE=orchestration); created in either mode, so that a
  // deployment can switch modes without a migration.
  ...sagaMigrations(),
  CreateStockReplica1796400000000,
];

export function ordersDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: ORDERS_ENTITIES,
    migrations: ORDERS_MIGRATIONS,
    applicationName: 'orders',
  });
}
