export {
  INVENTORY_ENTITIES,
  INVENTORY_MIGRATIONS,
  inventoryDataSourceOptions,
} from './inventory-data-source.options';
export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export { CreateReservations1764400000000 } from './migrations/1764400000000-create-reservations';
export { SeedDemoStock1764400000001 } from './migrations/1764400000001-seed-demo-stock';
export { StockLevelVersions1796400000000 } from './migrations/1796400000000-stock-level-versions';
export { StockItemEntity } from './stock-item.entity';
