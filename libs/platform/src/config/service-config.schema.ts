/**
 * The variables every service reads. A service extends this schema with its own variables
 * (`serviceConfigSchema({ … }).extend({ DATABASE_URL: postgresUrl() })`) and the platform validates the
 * result at boot, before Nest starts.
 */
import { z } from 'zod';
import { TRACE_SAMPLERS } from '../tracing/tracing';
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
    // Tracing, by OpenTelemetry's own variable names (see docs/tracing.md). No endpoint: nothing exported,
    // though trace context is still propagated.
    /** OTLP/HTTP base URL, e.g. `http://jaeger:4318`; traces go to `<it>/v1/traces`. */
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
    /** The full OTLP/HTTP traces URL; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl().optional(),
    /** The exporter speaks OTLP/HTTP with JSON; anything else named here is refused rather than ignored. */
    OTEL_EXPORTER_OTLP_PROTOCOL: z
      .enum(['http/json'], { error: 'must be http/json (the only protocol this exporter speaks)' })
      .optional(),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
      .enum(['http/json'], { error: 'must be http/json (the only protocol this exporter speaks)' })
      .optional(),
    OTEL_SERVICE_NAME: z.string().min(1, { error: 'must not be empty' }).default(name),
    OTEL_TRACES_SAMPLER: z
      .enum(TRACE_SAMPLERS, { error: `must be one of ${TRACE_SAMPLERS.join(', ')}` })
      .default('parentbased_always_on'),
    OTEL_TRACES_SAMPLER_ARG: z.coerce
      .number({ error: 'must be a ratio between 0 and 1' })
      .min(0, { error: 'must be a ratio between 0 and 1' })
      .max(1, { error: 'must be a ratio between 0 and 1' })
      .optional(),
  });
}

/** The validated common configuration; each service's config type extends it. */
export type ServiceConfig = z.output<ReturnType<typeof serviceConfigSchema>>;
