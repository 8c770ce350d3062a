/**
 * The Kafka topics of each bounded context. Services name topics through these constants, never as
 * string literals, so a rename is one change here. Events are keyed by aggregate id.
 */
export const Topics = {
  orders: 'orders.events',
  payments: 'payments.events',
  inventory: 'inventory.events',
  /** Commands to payments from the orchestrated saga (SAGA_MODE=orchestration), keyed by order id. */
  paymentCommands: 'payments.commands',
  /** Commands to inventory from the orchestrated saga, keyed by order id. */
  inventoryCommands: 'inventory.commands',
  /** Compacted, keyed by SKU: each SKU's latest stock level (event-carried state), a tombstone once withdrawn. */
  stockLevels: 'inventory.stock-levels',
  notifications: 'notifications.events',
  /** Compacted, written in Kafka transactions: each SKU's confirmed sales, in total and per minute. */
  salesAnalytics: 'analytics.sku-sales',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];
