/**
 * The framework-free composition: `subscribe()` turns a consumer group's routes into a running consumer
 * with the documented middleware order, failure topics and metrics wiring.
 */
export * from './subscription';
export * from './subscription-config.error';
export * from './source-topics-missing.error';
export { DEFAULT_TOPIC_WAIT_TIMEOUT_MS } from './wait-for-source-topics';
export * from './message-age.monitor';
export type { PartitionProgress } from '../consumer/consumer-runner';
