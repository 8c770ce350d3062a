/**
 * Immediate retries: a failed handler call is tried again in process, a few times with exponential
 * backoff, before the failure leaves this layer. Only retriable errors are retried; a `DeferredDelivery`
 * is not a failure and passes straight through.
 *
 * The backoff loop is `exponential-backoff` (zero dependencies, CommonJS with its own types, tens of millions
 * of weekly downloads) rather than hand-written; `p-retry` is ESM-only, which the CommonJS test toolchain
 * cannot load from node_modules. While it waits, the partition waits too (its records are handled in
 * order), so keep attempts and delays small: long waits belong to the retry topics, which do not block.
 */
import { backOff } from 'exponential-backoff';
import { DeferredDelivery } from '../core/deferred';
import type { HandlerContext, InboundMessage, MessageHandler, Middleware } from '../core/handler';
import { errorCode, isRetriable } from '../errors/messaging.error';
import { validateImmediateRetryPolicy, type ImmediateRetryPolicy } from './retry-policy';

export interface ImmediateRetryHooks {
  /**
   * Told after every failed call of the layers inside, the last one included (a `DeferredDelivery` is no
   * failure), e.g. to count failed attempts (`MessagingMetrics.handlerFailed`). It must not throw.
   */
  onFailedAttempt?: (message: InboundMessage, error: unknown) => void;
}

/** One call of the layers inside, a failure reported to the hook before it goes on to the backoff loop. */
async function attempt(
  next: MessageHandler,
  message: InboundMessage,
  context: HandlerContext,
  hooks: ImmediateRetryHooks,
): Promise<void> {
  try {
    await next(message, context);
  } catch (error) {
    if (!(error instanceof DeferredDelivery)) hooks.onFailedAttempt?.(message, error);
    throw error;
  }
}

export function immediateRetryMiddleware(
  policy: ImmediateRetryPolicy,
  hooks: ImmediateRetryHooks = {},
): Middleware {
  const { attempts, backoffMs, maxBackoffMs } = validateImmediateRetryPolicy(policy);
  return (next) => (message, context) =>
    backOff(() => attempt(next, message, context, hooks), {
      numOfAttempts: attempts,
      startingDelay: backoffMs,
      timeMultiple: 2,
      maxDelay: maxBackoffMs ?? Number.POSITIVE_INFINITY,
      // Full jitter: instances failing on the same dependency at the same moment do not retry in lockstep.
      jitter: 'full',
      retry: (error: unknown, failedCalls: number) => {
        if (error instanceof DeferredDelivery || !isRetriable(error)) return false;
        if (failedCalls < attempts) {
          context.logger.warn(
            {
              attempt: message.attempt,
              call: failedCalls + 1,
              of: attempts,
              errorCode: errorCode(error),
              err: error,
            },
            'Handler failed; retrying in process',
          );
        }
        return true;
      },
    });
}
