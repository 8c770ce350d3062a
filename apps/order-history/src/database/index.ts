export { CreateOrderRecords1796247825448 } from './migrations/1796247825448-create-order-records';
export { OrderRecordEntity } from './order-record.entity';
export {
  ORDER_HISTORY_ENTITIES,
  ORDER_HISTORY_MIGRATIONS,
  orderHistoryDataSourceOptions,
} from './order-history-data-source.options';
