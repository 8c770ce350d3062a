import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
import { CreateReservations1764400000000 } from './migrations/1764400000000-create-reservations';
import { SeedDemoStock1764400000001 } from './migrations/1764400000001-seed-demo-stock';
import { StockLevelVersions1796400000000 } from './migrations/1796400000000-stock-level-versions';
import { StockItemEntity } from './stock-item.entity';

/** Every entity of the inventory database. */
export const INVENTORY_ENTITIES = [StockItemEntity];

/** Every migration of the inventory database, oldest first: the outbox and inbox tables come from messaging. */
export const INVENTORY_MIGRATIONS = [
  InitialSchema1764230400000,
  ...messagingMigrations(),
  CreateReservations1764400000000,
  SeedDemoStock1764400000001,
  StockLevelVersions1796400000000,
];

export function inventoryDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: INVENTORY_ENTITIES,
    migrations: INVENTORY_MIGRATIONS,
    applicationName: 'inventory',
  });
}
