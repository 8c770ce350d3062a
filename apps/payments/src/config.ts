import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import type { z } from 'zod';

export const SERVICE_NAME = 'payments';

export const paymentsConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: 3002 }).extend({
  DATABASE_URL: postgresUrl(),
});

export type PaymentsConfig = z.output<typeof paymentsConfigSchema>;
