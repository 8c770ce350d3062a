import type { EventContract } from './event-contract';
import { inventoryCommands } from './inventory.commands';
import { inventoryEvents } from './inventory.events';
import { paymentsCommands } from './payments.commands';
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

/**
 * Every command contract (the orchestrated saga's): the same shape as an event contract, on a command topic
 * owned by the receiving context.
 */
export const allCommands: readonly EventContract<never>[] = [
  ...Object.values(paymentsCommands),
  ...Object.values(inventoryCommands),
];

/** Every contract, events and commands: what the registry holds and the manifest declares. */
export const allContracts: readonly EventContract<never>[] = [...allEvents, ...allCommands];
