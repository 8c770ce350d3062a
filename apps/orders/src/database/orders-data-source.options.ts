import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
import { OrderEntity } from './order.entity';

/** Every entity of the orders database. */
export const ORDERS_ENTITIES = [OrderEntity];

/** Every migration of the orders database, oldest first. */
export const ORDERS_MIGRATIONS = [InitialSchema1764230400000];

export function ordersDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: ORDERS_ENTITIES,
    migrations: ORDERS_MIGRATIONS,
    applicationName: 'orders',
  });
}
