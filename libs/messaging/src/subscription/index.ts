/**
 * The framework-free composition: `defineConsumer()` states a consumer once, `subscribe()` turns it and its
 * routes into a running consumer group with the pipeline of `PIPELINE_STAGES`, failure topics and metrics.
 */
export * from './subscription';
export * from './consumer-definition';
export * from './pipeline';
export * from './subscription-config.error';
export * from './source-topics-missing.error';
export { DEFAULT_TOPIC_WAIT_TIMEOUT_MS } from './wait-for-source-topics';
export * from './message-age.monitor';
export type { PartitionProgress } from '../consumer/consumer-runner';
