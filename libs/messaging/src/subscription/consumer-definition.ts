/**
 * A consumer declared once: its delivery guarantee, retry policy, concurrency and own middleware in one
 * object, next to its handlers (Eventuate Tram's `DomainEventDispatcher(dispatcherId, handlers)`). Handlers
 * refer to the definition; they never repeat its settings. The consumer group id is not part of it: it
 * comes from the service's configuration at startup (default: the consumer's `name`), so the same code runs
 * as a second, independent group when a test or a blue/green deployment needs one.
 *
 * ```ts
 * export const paymentsConsumer = defineConsumer({
 *   name: 'payments',
 *   delivery: 'effectively-once',
 *   retry: { immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 }, delaysMs: [1_000, 10_000] },
 *   concurrency: { perKey: true, maxInFlight: 50 },
 * });
 * ```
 *
 * Nest handlers then say `@HandleEvent(paymentsConsumer, orderPlacedEvent)`; without Nest, pass the
 * definition's settings to `subscribe` (`...consumerSettings(paymentsConsumer)`).
 */
import type { ConsumerRunnerOptions } from '../consumer/consumer-runner';
import type { DeliveryGuarantee } from '../core/handler';
import { validateRetryPolicy, type RetryPolicy } from '../failure/retry-policy';
import type { CustomMiddleware } from './pipeline';
import { SubscriptionConfigError } from './subscription-config.error';

export interface ConsumerSettings {
  /** A choice, not a default: when the offset is committed, and whether the inbox deduplicates. */
  delivery: DeliveryGuarantee;
  /** Stated by every consumer: immediate retries, retry-topic delays, then the dead-letter topic. */
  retry: RetryPolicy;
  /** Per-key concurrency inside a partition. Default: off (strictly sequential per partition). */
  concurrency?: ConsumerRunnerOptions['concurrency'];
  /**
   * Effectively-once only: one transaction per message (`message`, the default) or per chunk of a
   * partition's messages (`batch`), see `SubscriptionOptions.transactionScope`.
   */
  transactionScope?: 'message' | 'batch';
  /** The consumer's own middleware at the pipeline's insertion points (see `PIPELINE_STAGES`). */
  middleware?: CustomMiddleware;
}

export interface ConsumerDefinition extends Readonly<ConsumerSettings> {
  /** Unique in its service; the default consumer group id. Usually the service's name. */
  readonly name: string;
}

const GROUP_ID = /^[a-zA-Z0-9._-]{1,200}$/;
const GUARANTEES: readonly DeliveryGuarantee[] = ['at-most-once', 'at-least-once', 'effectively-once'];

/** Checks and freezes a consumer definition; a mistake fails when the module is loaded, naming the consumer. */
export function defineConsumer(definition: ConsumerDefinition): ConsumerDefinition {
  const { name, delivery } = definition;
  if (typeof name !== 'string' || !GROUP_ID.test(name)) {
    throw new SubscriptionConfigError(
      `Consumer name "${String(name)}" must be 1-200 characters of [a-zA-Z0-9._-]: it is the default consumer group id`,
    );
  }
  if (!GUARANTEES.includes(delivery)) {
    throw new SubscriptionConfigError(
      `Consumer "${name}" has an unknown delivery guarantee "${String(delivery)}"`,
    );
  }
  if (!definition.retry) {
    throw new SubscriptionConfigError(
      `Consumer "${name}" states no retry policy; every consumer states its own`,
    );
  }
  validateRetryPolicy(definition.retry);
  return Object.freeze({ ...definition });
}

/** The settings of a definition, as `subscribe` takes them. */
export function consumerSettings(definition: ConsumerDefinition): ConsumerSettings {
  const { delivery, retry, concurrency, middleware, transactionScope } = definition;
  return {
    delivery,
    retry,
    ...(concurrency ? { concurrency } : {}),
    ...(middleware ? { middleware } : {}),
    ...(transactionScope ? { transactionScope } : {}),
  };
}
