import type { EventContract } from './event-contract';
import { inventoryEvents } from './inventory.events';
import { ordersEvents } from './orders.events';
import { paymentsEvents } from './payments.events';
import { notificationsEvents } from './notifications.events';
import { salesAnalyticsEvents } from './sales-analytics.events';

/** The bounded contexts that own events, each with its topic in `Topics` and its events below. */
export const eventsByContext = {
  orders: ordersEvents,
  payments: paymentsEvents,
  inventory: inventoryEvents,
  notifications: notificationsEvents,
  salesAnalytics: salesAnalyticsEvents,
} as const;

export type BoundedContext = keyof typeof eventsByContext;

/**
 * Every event contract of the system. `EventContract<never>` because the payload types differ: the array is
 * for code that handles contracts generically (registering every schema, compatibility checks, AsyncAPI).
 */
export const allEvents: readonly EventContract<never>[] = [
  ...Object.values(ordersEvents),
  ...Object.values(paymentsEvents),
  ...Object.values(inventoryEvents),
  ...Object.values(notificationsEvents),
  ...Object.values(salesAnalyticsEvents),
];
