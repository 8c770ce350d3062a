import { serviceConfigSchema } from '@orderstream/platform';
import { serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('sales-analytics');
export const SERVICE_NAME = SERVICE.name;

export const salesAnalyticsConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  /**
   * `exactly-once` (the default): output, changelog and input offsets in one Kafka transaction.
   * `at-least-once`: the same processor without transactions, for comparison (`npm run bench:messaging`);
   * a crash can then count records twice.
   */
  PROCESSING_GUARANTEE: z.enum(['exactly-once', 'at-least-once']).default('exactly-once'),
  /** Partitions of the repartition topic (by SKU), and so of the second stage's tasks. */
  /**
   * How long the group waits for a silent member before moving its tasks to the others (Kafka's
   * session.timeout.ms; the broker allows 6 s to 5 min by default). A crashed instance's tasks stand still
   * this long.
   */
  STREAM_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /**
   * Fault injection, for tests only: holds every transaction open this long before its commit, so that a
   * crash test's kills land inside transactions rather than between them. 0 (the default) in production.
   */
  STREAM_COMMIT_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  SKU_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
});

export type SalesAnalyticsConfig = z.output<typeof salesAnalyticsConfigSchema>;
