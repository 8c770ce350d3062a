/**
 * Failure handling: error classification (in errors/), immediate retries, retry topics and the dead-letter
 * topic. The middleware order, outermost first:
 *
 *   retry-and-dead-letter → immediate retry → [effectively-once transaction] → decode → handler
 *
 * `failureHandlingMiddleware` returns the two failure layers in that order; put the rest after them.
 */
import type { Middleware } from '../core/handler';
import type { ProducerPort } from '../ports/kafka-client.port';
import { immediateRetryMiddleware } from './immediate-retry.middleware';
import {
  retryAndDeadLetterMiddleware,
  type RetryAndDeadLetterOptions,
} from './retry-and-dead-letter.middleware';
import { validateRetryPolicy, type RetryPolicy } from './retry-policy';

export * from './failure-headers';
export { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_STACK_BYTES, truncateUtf8 } from './failure-record';
export * from './retry-policy';
export * from './ensure-failure-topics';
export { immediateRetryMiddleware } from './immediate-retry.middleware';
export {
  retryAndDeadLetterMiddleware,
  routeFailure,
  type FailureRoute,
  type FailureRouted,
  type RetryAndDeadLetterOptions,
} from './retry-and-dead-letter.middleware';

export interface FailureHandlingOptions extends Omit<RetryAndDeadLetterOptions, 'policy'> {
  producer: ProducerPort;
  policy: RetryPolicy;
}

/** The two failure layers, outermost first: `[retryAndDeadLetter, immediateRetry]`. */
export function failureHandlingMiddleware(options: FailureHandlingOptions): Middleware[] {
  const policy = validateRetryPolicy(options.policy);
  return [retryAndDeadLetterMiddleware({ ...options, policy }), immediateRetryMiddleware(policy.immediate)];
}
