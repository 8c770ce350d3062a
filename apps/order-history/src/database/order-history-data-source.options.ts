import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CreateOrderRecords1796247825448 } from './migrations/1796247825448-create-order-records';
import { OrderRecordEntity } from './order-record.entity';

/** Every entity of the order-history database. */
export const ORDER_HISTORY_ENTITIES = [OrderRecordEntity];

/**
 * Every migration of the order-history database, oldest first: the outbox (what the relay publishes) and the
 * inbox (what effectively-once deduplicates on) come from messaging, then the service's own tables.
 */
export const ORDER_HISTORY_MIGRATIONS = [...messagingMigrations(), CreateOrderRecords1796247825448];

export function orderHistoryDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: ORDER_HISTORY_ENTITIES,
    migrations: ORDER_HISTORY_MIGRATIONS,
    applicationName: 'order-history',
  });
}
