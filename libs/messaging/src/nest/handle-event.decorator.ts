/**
 * `@HandleEvent(consumer, definition)` marks a method of an injectable class as the handler of one event
 * type for one consumer, declared once with `defineConsumer` (delivery, retry, concurrency, middleware).
 * The module discovers the methods at startup and runs one subscription per consumer (one consumer group),
 * routed by `ce_type`; handlers in several classes (one per use case) share a consumer by referring to it.
 *
 * ```ts
 * @Injectable()
 * export class AuthorizePaymentHandler {
 *   @HandleEvent(paymentsConsumer, orderPlacedEvent)
 *   async onOrderPlaced(event: Envelope<OrderPlaced>, context: HandlerContext): Promise<void> {
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
import type { Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import type { HandlerContext } from '../core/handler';
import type { ConsumerDefinition } from '../subscription/consumer-definition';

export interface HandleEventMetadata {
  consumer: ConsumerDefinition;
  definition: EventDefinition<unknown>;
}

export const HANDLE_EVENT_METADATA = 'orderstream:messaging:handle-event';

type TypedHandler<T> = (event: Envelope<T>, context: HandlerContext) => Promise<void>;

export function HandleEvent<T>(consumer: ConsumerDefinition, definition: EventDefinition<T>) {
  return (target: object, _key: string | symbol, descriptor: { value?: TypedHandler<T> }): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(
        `@HandleEvent(${consumer.name}, ${definition.type}) must decorate a method of ${target.constructor.name}`,
      );
    }
    // Stored on the method like Nest's own SetMetadata; a method may handle several types (one entry each).
    const existing =
      (Reflect.getMetadata(HANDLE_EVENT_METADATA, method) as HandleEventMetadata[] | undefined) ?? [];
    const entry: HandleEventMetadata = { consumer, definition: definition as EventDefinition<unknown> };
    Reflect.defineMetadata(HANDLE_EVENT_METADATA, [...existing, entry], method);
  };
}
