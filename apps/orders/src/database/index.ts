export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export { ORDER_STATUSES, OrderEntity, type OrderStatus } from './order.entity';
export { ORDERS_ENTITIES, ORDERS_MIGRATIONS, ordersDataSourceOptions } from './orders-data-source.options';
