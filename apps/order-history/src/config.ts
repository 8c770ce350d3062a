import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('order-history');
export const SERVICE_NAME = SERVICE.name;

export const orderHistoryConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
  /**
   * The bearer token of the admin API (`/admin/projections/…`: rebuild, status). Unset: the admin API is off
   * and answers 404. Local development and tests set their own; never commit a real one.
   */
  ADMIN_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  /** How often a rebuild's progress is compared with its high-water marks. */
  PROJECTION_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
});

export type OrderHistoryConfig = z.output<typeof orderHistoryConfigSchema>;
