import { namedPostgresUrls, serviceConfigSchema } from '@orderstream/platform';
import type { z } from 'zod';

export const SERVICE_NAME = 'outbox-relay';

export const outboxRelayConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: 3004 }).extend({
  /** The databases whose outboxes the relay publishes: `orders=postgres://…,payments=postgres://…`. */
  OUTBOX_SOURCES: namedPostgresUrls(),
});

export type OutboxRelayConfig = z.output<typeof outboxRelayConfigSchema>;
