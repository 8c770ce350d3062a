import { positiveInt, postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { z } from 'zod';

export const SERVICE_NAME = 'orders';

/** `ce_source` of every event the orders service writes to its outbox. */
export const EVENT_SOURCE = '/orderstream/orders';

export const ordersConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: 3001 }).extend({
  DATABASE_URL: postgresUrl(),
  /** An order still PENDING this long after it was placed is cancelled with reason `deadline`. */
  SAGA_DEADLINE_MS: positiveInt().default(30_000),
  /** How often the deadline poller looks for expired orders. */
  SAGA_DEADLINE_POLL_MS: positiveInt().default(1_000),
  /** Partitions of the saga topics when this service has to create them (an empty cluster). */
  SAGA_TOPIC_PARTITIONS: positiveInt().default(3),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;
