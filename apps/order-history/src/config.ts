import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { serviceOf } from '@orderstream/system';
import type { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('order-history');
export const SERVICE_NAME = SERVICE.name;

export const orderHistoryConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
});

export type OrderHistoryConfig = z.output<typeof orderHistoryConfigSchema>;
