/**
 * Public API of `@orderstream/messaging`, the framework-free core: envelope, codec port, handler and
 * middleware, runner, errors, and the ports (Kafka client, inbox). It imports none of kafkajs, TypeORM, pg
 * or NestJS (a lint rule holds it to that); adapters and wiring are separate entries:
 * `@orderstream/messaging/kafkajs`, `…/postgres`, `…/nest` and `…/conformance`. Anything not exported here
 * is internal.
 */
export * from './errors/messaging.error';
export * from './errors/application.error';
export * from './logging/logger';
export * from './ports/kafka-client.port';
export * from './ports/inbox.port';
export * from './ports/namespaced-kafka-client';
export * from './codec/avro-codec';
export * from './core/envelope';
export * from './core/event-definition';
export * from './core/handler';
export * from './codec/payload-codec';
export * from './envelope';
export * from './publisher';
export * from './failure';
export * from './dead-letter';
export * from './consumer';
export * from './core/deferred';
export * from './delivery/effectively-once.middleware';
export * from './delivery/inbox-conflict.error';
export * from './delivery/batched-effectively-once';
export * from './subscription';
export * from './topics/provision-topics';
export * from './tracing';
// subscribe() takes MessagingMetrics; exported here until the metrics folder has a barrel of its own.
export {
  MessagingMetrics,
  type DeliveryMeasurement,
  type DuplicateDelivery,
  type MessageLabels,
  type SkipReason,
} from './metrics/messaging-metrics';
export { LagMonitor, measureLag, type LagMonitorOptions, type PartitionLag } from './metrics/lag-monitor';
export { metricsMiddleware, labelsOf } from './metrics/metrics.middleware';
export * from './streams';
export * from './saga';
