import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CreateProjectionGenerations1796300000000 } from './migrations/1796300000000-create-projection-generations';

/**
 * No entities: the read model's tables live in one schema per generation (projection/generation-schema.ts)
 * and are read through the views of the served one, by SQL.
 */
export const ORDER_HISTORY_ENTITIES = [];

/**
 * Every migration of the order-history database, oldest first. messaging's outbox and inbox come first like
 * in every service (the template's shape; a read model writes neither today), then the generations table.
 */
export const ORDER_HISTORY_MIGRATIONS = [...messagingMigrations(), CreateProjectionGenerations1796300000000];

export function orderHistoryDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: ORDER_HISTORY_ENTITIES,
    migrations: ORDER_HISTORY_MIGRATIONS,
    applicationName: 'order-history',
  });
}
