import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CreateNotifications1796310000000 } from './migrations/1796310000000-create-notifications';

/** No entities: the sink is written and read by SQL (send-notification/, get-notifications/). */
export const NOTIFICATIONS_ENTITIES = [];

/**
 * Every migration of the notifications database, oldest first: the outbox (what the relay publishes) and the
 * inbox (what effectively-once deduplicates on) come from messaging, then the service's own table.
 */
export const NOTIFICATIONS_MIGRATIONS = [...messagingMigrations(), CreateNotifications1796310000000];

export function notificationsDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: NOTIFICATIONS_ENTITIES,
    migrations: NOTIFICATIONS_MIGRATIONS,
    applicationName: 'notifications',
  });
}
