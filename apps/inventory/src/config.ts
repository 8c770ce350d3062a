import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import type { z } from 'zod';

export const SERVICE_NAME = 'inventory';

export const inventoryConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: 3003 }).extend({
  DATABASE_URL: postgresUrl(),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;
