import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import type { z } from 'zod';

export const SERVICE_NAME = 'orders';

export const ordersConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: 3001 }).extend({
  DATABASE_URL: postgresUrl(),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;
