/**
 * Failure handling: error classification (in errors/), immediate retries, retry topics and the dead-letter
 * topic. Where these layers sit in a consumer's pipeline is stated once, in `PIPELINE_STAGES`
 * (subscription/pipeline.ts).
 */

export * from './failure-headers';
export { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_STACK_BYTES, truncateUtf8 } from './failure-record';
export * from './retry-policy';
export * from './ensure-failure-topics';
export { immediateRetryMiddleware, type ImmediateRetryHooks } from './immediate-retry.middleware';
export {
  retryAndDeadLetterMiddleware,
  routeFailure,
  type FailureRoute,
  type FailureRouted,
  type RetryAndDeadLetterOptions,
} from './retry-and-dead-letter.middleware';
