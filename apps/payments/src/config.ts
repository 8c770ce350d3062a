import { postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { SAGA_MODES, serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('payments');
export const SERVICE_NAME = SERVICE.name;

export const paymentsConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
}).extend({
  DATABASE_URL: postgresUrl(),
  /**
   * How the order saga runs, system-wide: payments reacts to orders' and inventory's events
   * (`choreography`), or handles the orchestrator's commands on payments.commands (`orchestration`).
   */
  SAGA_MODE: z.enum(SAGA_MODES).default('choreography'),
});

export type PaymentsConfig = z.output<typeof paymentsConfigSchema>;
