export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export { OrderLinesHistoryIdempotency1764400000000 } from './migrations/1764400000000-order-lines-history-idempotency';
export { SeedCatalog1764400000001 } from './migrations/1764400000001-seed-catalog';
export { CreateStockReplica1796400000000 } from './migrations/1796400000000-create-stock-replica';
export { ORDER_STATUSES, OrderEntity, type OrderStatus } from './order.entity';
export { ORDERS_ENTITIES, ORDERS_MIGRATIONS, ordersDataSourceOptions } from './orders-data-source.options';
