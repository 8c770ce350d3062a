import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { SAGA_MODES, serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('inventory');
export const SERVICE_NAME = SERVICE.name;

export const inventoryConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
  /**
   * How the order saga runs, system-wide: inventory reacts to payments' and orders' events
   * (`choreography`), or handles the orchestrator's commands on inventory.commands (`orchestration`).
   */
  SAGA_MODE: z.enum(SAGA_MODES).default('choreography'),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;
