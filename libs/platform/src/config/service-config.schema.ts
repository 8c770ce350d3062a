/**
 * The variables every service reads. A service extends this schema with its own variables
 * (`serviceConfigSchema({ … }).extend({ DATABASE_URL: postgresUrl() })`) and the platform validates the
 * result at boot, before Nest starts.
 */
import { z } from 'zod';
import { brokerList, httpUrl, logLevel, port, positiveInt } from './env-fields';

export interface ServiceIdentity {
  /** Short, stable service name: logged on every line, the `service` metrics label, the default Kafka client id. */
  name: string;
  defaultPort: number;
}

export function serviceConfigSchema({ name, defaultPort }: ServiceIdentity) {
  return z.object({
    PORT: port().default(defaultPort),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: logLevel().default('info'),
    KAFKA_BROKERS: brokerList(),
    KAFKA_CLIENT_ID: z.string().default(name),
    /**
     * The consumer group of the service's consumer (the one named after the service). Configurable so that a
     * test or a blue/green deployment can run a second, independent copy of the service next to the first.
     */
    KAFKA_CONSUMER_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, { error: 'must be a Kafka group id (1-200 of [A-Za-z0-9._-])' })
      .default(name),
    /**
     * Prefixes every topic, consumer group and transactional id of the service on the broker
     * (`<namespace>.orders.events`), so that copies of the system share a cluster without sharing anything
     * (each e2e system and integration test runs in its own). Empty (the default) in a deployment of its own.
     * Every service of one system must use the same namespace.
     */
    KAFKA_NAMESPACE: z
      .string()
      .regex(/^([A-Za-z0-9_-]{1,40})?$/, { error: 'must be empty or 1-40 of [A-Za-z0-9_-]' })
      .default(''),
    SCHEMA_REGISTRY_URL: httpUrl(),
    /** How long a graceful shutdown may take before the process gives up and exits with code 1. */
    SHUTDOWN_TIMEOUT_MS: positiveInt().default(10_000),
  });
}

/** The validated common configuration; each service's config type extends it. */
export type ServiceConfig = z.output<ReturnType<typeof serviceConfigSchema>>;
