import { namedPostgresUrls, positiveInt, postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { outboxServices, serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest: its name, port, topics, consumers and events. */
export const SERVICE = serviceOf('outbox-relay');
export const SERVICE_NAME = SERVICE.name;

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;

/** Every variable is described, with its default, in docs/outbox-relay.md. */
export const outboxRelayConfigSchema = serviceConfigSchema({
  name: SERVICE_NAME,
  defaultPort: SERVICE.port,
})
  .extend({
    /** The databases whose outboxes the relay publishes: `orders=postgres://…,payments=postgres://…`. */
    OUTBOX_SOURCES: namedPostgresUrls().optional(),
    /**
     * Instead of OUTBOX_SOURCES: the PostgreSQL server on which every service of the system manifest that has
     * an outbox keeps its database (any database in the URL; each source gets its service's database name).
     */
    OUTBOX_POSTGRES_URL: postgresUrl().optional(),
    /** Rows read, sent to Kafka and marked per round trip. */
    OUTBOX_BATCH_SIZE: positiveInt().max(10_000, { error: 'must be at most 10000' }).default(500),
    /**
     * Fallback poll of a source while leading: NOTIFY normally wakes the relay at once, the poll covers a
     * lost notification (a notification is not delivered to a session that was reconnecting).
     */
    OUTBOX_POLL_INTERVAL_MS: positiveInt().default(1 * SECOND),
    /** How often a follower tries to take a source's leader lock (and how long it waits after an error). */
    OUTBOX_LOCK_RETRY_INTERVAL_MS: positiveInt().default(5 * SECOND),
    /** Published rows older than this are deleted. Long enough to investigate what was sent. */
    OUTBOX_RETENTION_MS: positiveInt().default(7 * DAY),
    /** How often the retention job runs per source. */
    OUTBOX_RETENTION_INTERVAL_MS: positiveInt().default(1 * HOUR),
  })
  .transform(({ OUTBOX_POSTGRES_URL: server, ...config }, ctx) => {
    if (config.OUTBOX_SOURCES) return { ...config, OUTBOX_SOURCES: config.OUTBOX_SOURCES };
    if (server === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['OUTBOX_SOURCES'],
        message:
          'set OUTBOX_SOURCES (name=postgres://…,…) or OUTBOX_POSTGRES_URL (the server of every outbox)',
      });
      return z.NEVER;
    }
    return { ...config, OUTBOX_SOURCES: manifestSources(server) };
  });

/** Every outbox service of the manifest, in its own database on `server`. */
function manifestSources(server: string): Record<string, string> {
  return Object.fromEntries(
    outboxServices().map((service) => {
      const url = new URL(server);
      url.pathname = `/${service.database as string}`;
      return [service.name, url.toString()];
    }),
  );
}

export type OutboxRelayConfig = z.output<typeof outboxRelayConfigSchema>;
