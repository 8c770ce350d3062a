import { defineConsumer } from '@orderstream/messaging';
import { SERVICE_NAME } from './config';

/**
 * The one consumer of notifications, declared once: every handler of the service refers to it (one consumer
 * group, routed by event type). Its group id is `KAFKA_CONSUMER_GROUP` (default `notifications`); the
 * events it takes are its consumer group's `consumes` in the system manifest. Several instances run as
 * members of this one group: a work queue, each partition's records handled by one member at a time.
 *
 * - Effectively-once: each event's notification row, its NotificationSent and its inbox row commit in one
 *   transaction.
 * - Per-key concurrency: events of different orders run in parallel, events of one order in order.
 * - Retry: what fails here transiently is orders (the callback) more than the database. The callback's own
 *   policy (orders-client) already tries three times within about a second, so one attempt in process
 *   here, then retry topics at 2 s, 15 s and 60 s: an orders restart is outlived before the dead-letter
 *   topic. An order orders does not know is non-retriable and goes to `notifications.dlt` at once.
 */
export const notificationsConsumer = defineConsumer({
  name: SERVICE_NAME,
  delivery: 'effectively-once',
  retry: {
    immediate: { attempts: 1, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [2_000, 15_000, 60_000],
  },
  concurrency: { perKey: true, maxInFlight: 50 },
});
