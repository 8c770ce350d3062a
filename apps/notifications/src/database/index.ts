export { CreateOrderRecords1796247835699 } from './migrations/1796247835699-create-order-records';
export { OrderRecordEntity } from './order-record.entity';
export {
  NOTIFICATIONS_ENTITIES,
  NOTIFICATIONS_MIGRATIONS,
  notificationsDataSourceOptions,
} from './notifications-data-source.options';
