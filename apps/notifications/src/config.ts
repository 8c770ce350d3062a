import { httpUrl, positiveInt, postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { serviceOf } from '@orderstream/system';
import { hostname } from 'node:os';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('notifications');
export const SERVICE_NAME = SERVICE.name;

export const notificationsConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
  /** Where orders answers `GET /orders/{id}`, the callback for what a thin event leaves out. */
  ORDERS_URL: httpUrl().default(`http://127.0.0.1:${serviceOf('orders').port}`),
  /** One callback attempt's time limit; the policy retries, then the message goes its retry path. */
  ORDERS_TIMEOUT_MS: positiveInt().default(2_000),
  /** This instance's name in the rows it writes: which member of the group sent what (the work queue). */
  INSTANCE_ID: z.string().min(1).max(100).default(`${hostname()}-${process.pid}`),
});

export type NotificationsConfig = z.output<typeof notificationsConfigSchema>;
