import { defineConsumer } from '@orderstream/messaging';
import { SERVICE_NAME } from './config';

/**
 * The one consumer of inventory, declared once: every handler of the service refers to it (one consumer
 * group, routed by event type). Its group id is `KAFKA_CONSUMER_GROUP` (default `inventory`).
 *
 * - Effectively-once: each event's writes, its outgoing events and its inbox row commit in one transaction.
 * - Per-key concurrency: events of different orders run in parallel, events of one order in order; the
 *   stock itself is protected by row locks (see stock/stock-locks.ts), not by serialising the partition.
 * - Retry: a reservation can meet a lock timeout or deadlock on a hot SKU and a lost connection; both
 *   clear in moments, so three quick in-process attempts, then retry topics at 1 s, 5 s and 30 s. Data
 *   errors are non-retriable and go to `inventory.dlt` at once.
 */
export const inventoryConsumer = defineConsumer({
  name: SERVICE_NAME,
  delivery: 'effectively-once',
  retry: {
    immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [1_000, 5_000, 30_000],
  },
  concurrency: { perKey: true, maxInFlight: 50 },
});
