/**
 * The Kafka topics of each bounded context. Services name topics through these constants, never as
 * string literals, so a rename is one change here. Events are keyed by aggregate id.
 */
export const Topics = {
  orders: 'orders.events',
  payments: 'payments.events',
  inventory: 'inventory.events',
  notifications: 'notifications.events',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];
