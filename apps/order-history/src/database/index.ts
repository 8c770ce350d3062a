export { CreateProjectionGenerations1796300000000 } from './migrations/1796300000000-create-projection-generations';
export {
  ORDER_HISTORY_ENTITIES,
  ORDER_HISTORY_MIGRATIONS,
  orderHistoryDataSourceOptions,
} from './order-history-data-source.options';
