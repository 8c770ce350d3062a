import { defineConsumer } from '@orderstream/messaging';
import { SERVICE_NAME } from './config';

/**
 * The consumer of orders' saga reactions, declared once. Its group id is `KAFKA_CONSUMER_GROUP` (default
 * `orders`), so a test or a blue/green deployment can run a second, independent copy next to the first.
 *
 * - Effectively-once: the inbox row, the order's transition and its outbox event commit together.
 * - Sequential per partition (no per-key concurrency): an order's reactions are few and cheap, and the
 *   transitions lock the order row anyway.
 * - Batch transactions: a chunk of a partition's reactions commits in one transaction. Every reaction
 *   touches only its own order's row, and an order's events share a partition, so holding the row locks
 *   until the chunk commits blocks nobody else. (payments and inventory update rows shared across orders
 *   and partitions, a customer's credit and a SKU's stock, so they keep a transaction per message.)
 * - Retry: the transient failures are the database's (a lost connection, a lock timeout), so three quick
 *   in-process attempts, then retry topics at 1 s, 5 s and 30 s; an illegal transition is skipped by the
 *   handler itself, and data errors go to `orders.dlt` at once.
 */
export const ordersConsumer = defineConsumer({
  name: SERVICE_NAME,
  delivery: 'effectively-once',
  transactionScope: 'batch',
  retry: {
    immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [1_000, 5_000, 30_000],
  },
});
