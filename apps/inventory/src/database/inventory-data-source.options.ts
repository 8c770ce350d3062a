import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
import { StockItemEntity } from './stock-item.entity';

/** Every entity of the inventory database. */
export const INVENTORY_ENTITIES = [StockItemEntity];

/** Every migration of the inventory database, oldest first. */
export const INVENTORY_MIGRATIONS = [InitialSchema1764230400000];

export function inventoryDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: INVENTORY_ENTITIES,
    migrations: INVENTORY_MIGRATIONS,
    applicationName: 'inventory',
  });
}
