import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CreateOrderRecords1796247835699 } from './migrations/1796247835699-create-order-records';
import { OrderRecordEntity } from './order-record.entity';

/** Every entity of the notifications database. */
export const NOTIFICATIONS_ENTITIES = [OrderRecordEntity];

/**
 * Every migration of the notifications database, oldest first: the outbox (what the relay publishes) and the
 * inbox (what effectively-once deduplicates on) come from messaging, then the service's own tables.
 */
export const NOTIFICATIONS_MIGRATIONS = [...messagingMigrations(), CreateOrderRecords1796247835699];

export function notificationsDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: NOTIFICATIONS_ENTITIES,
    migrations: NOTIFICATIONS_MIGRATIONS,
    applicationName: 'notifications',
  });
}
