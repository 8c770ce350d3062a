/**
 * `@HandleEvent(definition, options)` marks a method of an injectable class as the handler of one event
 * type for one consumer group. The module discovers it at startup; methods with the same group share one
 * subscription (one consumer group = one consumer), routed by `ce_type`.
 *
 * ```ts
 * @Injectable()
 * export class AuthorizePayment {
 *   @HandleEvent(OrderPlaced, { group: 'payments', delivery: 'effectively-once' })
 *   async handle(event: Envelope<OrderPlaced>, context: HandlerContext): Promise<void> {
 *     const manager = entityManagerOf(context);   // the transaction shared with the inbox row
 *     …
 *   }
 * }
 * ```
 *
 * The method's signature is checked against the definition's type at compile time. Named `HandleEvent`
 * rather than `EventHandler`, which is the core's type of a handler function.
 */
import 'reflect-metadata';
import type { ConsumerRunnerOptions } from '../consumer/consumer-runner';
import type { Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import type { DeliveryGuarantee, HandlerContext } from '../core/handler';
import type { RetryPolicy } from '../failure/retry-policy';

export interface HandleEventOptions {
  /** The consumer group; every method with this group runs in one subscription. */
  group: string;
  /** A choice, not a default: when the offset is committed, and whether the inbox deduplicates. */
  delivery: DeliveryGuarantee;
  /** Default: the module's `defaultRetry`. Must be the same for every method of the group. */
  retry?: RetryPolicy;
  /** Per-key concurrency. Must be the same for every method of the group. Default off. */
  concurrency?: ConsumerRunnerOptions['concurrency'];
}

export interface HandleEventMetadata {
  definition: EventDefinition<unknown>;
  options: HandleEventOptions;
}

export const HANDLE_EVENT_METADATA = 'orderstream:messaging:handle-event';

type TypedHandler<T> = (event: Envelope<T>, context: HandlerContext) => Promise<void>;

export function HandleEvent<T>(definition: EventDefinition<T>, options: HandleEventOptions) {
  return (target: object, _key: string | symbol, descriptor: { value?: TypedHandler<T> }): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(
        `@HandleEvent(${definition.type}) must decorate a method of ${target.constructor.name}`,
      );
    }
    // Stored on the method like Nest's own SetMetadata; a method may handle several types (one entry each).
    const existing =
      (Reflect.getMetadata(HANDLE_EVENT_METADATA, method) as HandleEventMetadata[] | undefined) ?? [];
    const entry: HandleEventMetadata = { definition: definition as EventDefinition<unknown>, options };
    Reflect.defineMetadata(HANDLE_EVENT_METADATA, [...existing, entry], method);
  };
}
