/** Injection tokens of the platform's providers. */

/** The service's root pino logger (`ServiceLogger`). */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

/** The service's `KafkaClient` from @orderstream/messaging, shared by everything that talks to Kafka. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/** The service's prom-client `Registry`: register custom metrics here so `/metrics` exposes them. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Internal: what the readiness endpoint checks (`ReadinessSettings`). */
export const READINESS_SETTINGS = Symbol('READINESS_SETTINGS');

/**
 * Optional: a service's own readiness checks (`ReadinessCheck[]`), beside the platform's databases, Kafka
 * and messaging groups; e.g. orders is not ready until its stock replica has caught up.
 */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
