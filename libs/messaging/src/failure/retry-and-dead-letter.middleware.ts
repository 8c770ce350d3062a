/**
 * Non-blocking retries and dead-lettering, scoped to the consumer group: the outer of the two failure
 * layers (the pipeline's order is stated in subscription/pipeline.ts). When the layers inside give up,
 * this one decides where the message goes next and returns normally, so the runner commits the record and
 * its partition moves on while the message waits elsewhere:
 *
 * - retriable error, retry topics left: the original record (key, value, headers) goes to the group's next
 *   retry topic `<group>.retry.<n>` with `x-attempt`, `x-retry-due-at` and the origin and error headers;
 * - non-retriable error (`DecodeError` included, so undecodable bytes go at once), or a failure on the
 *   last retry topic: the original record goes to `<group>.dlt` with the `x-original-*` / `x-dlt-*` headers.
 *
 * A record consumed from a retry topic that is not due yet throws `DeferredDelivery(dueAt)`: the runner
 * pauses that retry partition until then and redelivers the record, and no consumer ever sleeps. A due
 * record runs the handler with `message.attempt` taken from `x-attempt`.
 *
 * If writing to the retry or dead-letter topic fails, that error is thrown: the record is not committed
 * and comes back (at-least-once), so nothing is lost. Ordering per key holds on the source topic but not
 * for a message that waits in a retry topic: later messages of its key overtake it (the price of not
 * blocking the partition).
 */
import { DeferredDelivery } from '../core/deferred';
import type { InboundMessage, Middleware } from '../core/handler';
import { isRetriable } from '../errors/messaging.error';
import type { ProducerPort } from '../ports/kafka-client.port';
import type { DeadLetterReason } from './failure-headers';
import {
  attemptOf,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_STACK_BYTES,
  deadLetterRecord,
  describeError,
  dueAtOf,
  failureOrigin,
  retryRecord,
  type Failure,
} from './failure-record';
import {
  deadLetterTopicName,
  retryStageOf,
  retryTopicName,
  validateRetryDelays,
  type RetryPolicy,
} from './retry-policy';

export interface RetryAndDeadLetterOptions {
  /** Writes retry and dead-letter records; an idempotent producer keeps them free of duplicates. */
  producer: ProducerPort;
  /** Only `delaysMs` matters here; `immediate` is the immediate-retry layer's. */
  policy: Pick<RetryPolicy, 'delaysMs'>;
  /** Bound of `x-dlt-error-stack` in UTF-8 bytes. Default 2048. */
  maxStackBytes?: number;
  /** Bound of the error message headers in UTF-8 bytes. Default 1024. */
  maxMessageBytes?: number;
  /** The clock; tests pass their own. */
  now?: () => number;
  /**
   * Told after a message was written to a retry topic or the dead-letter topic, e.g. to count them
   * (`MessagingMetrics.retried` / `deadLettered`). A listener that throws is logged and otherwise ignored:
   * the message is already parked, failing the delivery would only park it twice.
   */
  onRouted?: (event: FailureRouted) => void;
}

/** What `onRouted` hears. `message` carries the decoded envelope when decoding got that far. */
export type FailureRouted =
  | { kind: 'retry'; message: InboundMessage; errorCode: string; topic: string; dueAt: number }
  | {
      kind: 'dead-letter';
      message: InboundMessage;
      errorCode: string;
      topic: string;
      reason: DeadLetterReason;
    };

/** Where a failed message goes next. Pure, so the rule is stated (and tested) in one place. */
export type FailureRoute =
  { kind: 'retry'; stage: number; delayMs: number } | { kind: 'dead-letter'; reason: DeadLetterReason };

/**
 * `stage` is where the message failed: 0 on its source topic, n on retry topic n.
 */
export function routeFailure(error: unknown, stage: number, delaysMs: readonly number[]): FailureRoute {
  if (!isRetriable(error)) return { kind: 'dead-letter', reason: 'non-retriable' };
  const delayMs = delaysMs[stage];
  if (delayMs === undefined) return { kind: 'dead-letter', reason: 'retries-exhausted' };
  return { kind: 'retry', stage: stage + 1, delayMs };
}

export function retryAndDeadLetterMiddleware(options: RetryAndDeadLetterOptions): Middleware {
  const { producer } = options;
  const policy = { delaysMs: validateRetryDelays(options.policy.delaysMs) };
  const now = options.now ?? Date.now;
  const bounds = {
    maxStackBytes: options.maxStackBytes ?? DEFAULT_MAX_STACK_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  };

  return (next) => async (received, context) => {
    const { record, groupId } = received;
    const stage = retryStageOf(record.topic, groupId, policy);

    let message: InboundMessage = received;
    if (stage > 0) {
      const dueAt = dueAtOf(record);
      if (dueAt !== undefined && dueAt > now()) throw new DeferredDelivery(dueAt);
      // A retry record without a readable x-attempt is still retry n, i.e. at least attempt n + 1.
      message = { ...received, attempt: attemptOf(record) ?? stage + 1 };
    }

    try {
      await next(message, message === received ? context : { ...context, message });
      return;
    } catch (error) {
      if (error instanceof DeferredDelivery) throw error;
      const failedAt = now();
      const failure: Failure = {
        record,
        origin: failureOrigin(record, stage > 0, failedAt),
        error: describeError(error, bounds),
        attempt: message.attempt,
        failedAt,
      };
      const route = routeFailure(error, stage, policy.delaysMs);
      const fields = {
        attempt: message.attempt,
        errorCode: failure.error.code,
        originalTopic: failure.origin.topic,
        originalPartition: failure.origin.partition,
        originalOffset: failure.origin.offset,
        err: error,
      };
      let routed: FailureRouted;
      if (route.kind === 'retry') {
        const topic = retryTopicName(groupId, route.stage);
        const dueAt = failedAt + route.delayMs;
        await producer.send(topic, [retryRecord(failure, dueAt)]);
        context.logger.warn(
          { ...fields, retryTopic: topic, dueAt },
          'Handler failed; message sent to retry topic',
        );
        routed = { kind: 'retry', message, errorCode: failure.error.code, topic, dueAt };
      } else {
        const topic = deadLetterTopicName(groupId);
        await producer.send(topic, [deadLetterRecord(failure, groupId, route.reason)]);
        context.logger.error(
          { ...fields, deadLetterTopic: topic, reason: route.reason },
          'Handler failed; message sent to dead-letter topic',
        );
        routed = { kind: 'dead-letter', message, errorCode: failure.error.code, topic, reason: route.reason };
      }
      try {
        options.onRouted?.(routed);
      } catch (listenerError) {
        context.logger.warn({ err: listenerError }, 'onRouted listener failed');
      }
    }
  };
}
