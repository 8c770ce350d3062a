export {
  INVENTORY_ENTITIES,
  INVENTORY_MIGRATIONS,
  inventoryDataSourceOptions,
} from './inventory-data-source.options';
export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export { StockItemEntity } from './stock-item.entity';
