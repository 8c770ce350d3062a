import { defineConsumer } from '@orderstream/messaging';
import { SERVICE_NAME } from './config';

/**
 * The one consumer of notifications, declared once: every handler of the service refers to it (one consumer
 * group, routed by event type). Its group id is `KAFKA_CONSUMER_GROUP` (default `notifications`); the
 * events it takes are its consumer group's `consumes` in the system manifest.
 *
 * - Effectively-once: each event's writes, its outgoing events and its inbox row commit in one transaction.
 * - Per-key concurrency: events of different orders run in parallel, events of one order in order.
 * - Retry: what fails here transiently is the database (a lost connection, a serialization failure), which
 *   recovers in seconds, so three quick in-process attempts, then retry topics at 1 s, 5 s and 30 s. Data
 *   errors are non-retriable and go to `notifications.dlt` at once. Choose again when the handlers change:
 *   docs/new-service.md.
 */
export const notificationsConsumer = defineConsumer({
  name: SERVICE_NAME,
  delivery: 'effectively-once',
  retry: {
    immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [1_000, 5_000, 30_000],
  },
  concurrency: { perKey: true, maxInFlight: 50 },
});
