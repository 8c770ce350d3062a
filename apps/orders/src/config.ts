import { positiveInt, postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { SAGA_MODES, serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('orders');
export const SERVICE_NAME = SERVICE.name;

/** `ce_source` of every event the orders service writes to its outbox. */
export const EVENT_SOURCE = '/orderstream/orders';

export const ordersConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
  /**
   * How the order saga runs, system-wide: orders, payments and inventory react to each other's events
   * (`choreography`), or orders sends commands to payments and inventory and acts on their replies
   * (`orchestration`, docs/saga.md). Every service of the saga must run in the same mode.
   */
  SAGA_MODE: z.enum(SAGA_MODES).default('choreography'),
  /**
   * An order still PENDING this long after it was placed is cancelled with reason `deadline`. Orchestrated,
   * it is each step's time in all: a step unanswered that long cancels the order.
   */
  SAGA_DEADLINE_MS: positiveInt().default(30_000),
  /** How often the deadline poller looks for expired orders (orchestrated: expired saga steps). */
  SAGA_DEADLINE_POLL_MS: positiveInt().default(1_000),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;
