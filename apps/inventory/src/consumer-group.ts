import type { HandleEventOptions } from '@orderstream/messaging/nest';
import { SERVICE_NAME } from './config';

/**
 * The one consumer group of inventory: every handler of the service shares it (one consumer, routed by
 * event type), so it is named after the service and declared once here rather than in each decorator.
 */
export const CONSUMER_GROUP = SERVICE_NAME;

/**
 * Effectively-once: each event's writes, its outgoing events and its inbox row commit in one transaction.
 * Per-key concurrency: events of different orders run in parallel, events of one order in order; the
 * stock itself is protected by row locks (see stock/stock-locks.ts), not by serialising the partition.
 */
export const CONSUMER_SETTINGS = {
  delivery: 'effectively-once',
  concurrency: { perKey: true, maxInFlight: 50 },
} as const satisfies Omit<HandleEventOptions, 'group'>;
