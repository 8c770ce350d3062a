import { defineConsumer } from '@orderstream/messaging';
import { SERVICE_NAME } from './config';

/**
 * The projection's consumer settings, declared once; every generation of the read model runs them under a
 * group of its own, `<KAFKA_CONSUMER_GROUP>.g<n>` (projection/projection-host.ts).
 *
 * - At-least-once: the projection deduplicates by itself (an event id is in an order's timeline once, in the
 *   same transaction as the view it changes), so it needs no inbox; a redelivery changes nothing.
 * - Per-key concurrency: events of different orders run in parallel, events of one order in order; events of
 *   one order on different topics are serialized by the view row's lock.
 * - Retry: what fails here transiently is the database (a lost connection, a serialization failure), which
 *   recovers in seconds, so three quick in-process attempts, then retry topics at 1 s, 5 s and 30 s. Data
 *   errors (SQLSTATE classes 22 and 23) are non-retriable and go to the group's dead-letter topic at once.
 */
export const orderHistoryConsumer = defineConsumer({
  name: SERVICE_NAME,
  delivery: 'at-least-once',
  retry: {
    immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [1_000, 5_000, 30_000],
  },
  concurrency: { perKey: true, maxInFlight: 50 },
});
