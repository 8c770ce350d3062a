/**
 * How application handlers get typed envelopes. An `EventHandler<T>` is written against one event
 * definition; `on(definition, handler)` pairs them, and `eventHandler(routes)` turns a list of pairs into the
 * `MessageHandler` the runner calls, dispatching on `ce_type`:
 *
 * ```ts
 * const handler = eventHandler([
 *   on(OrderPlaced, async (event, ctx) => { event.data.orderId; ... }),   // event: Envelope<OrderPlaced>
 *   on(OrderCancelled, async (event, ctx) => { ... }),
 * ]);
 * const pipeline = compose([...failureHandling, decodeMiddleware(codec, registryOf(routes))], handler);
 * ```
 *
 * The cast from `Envelope` to `Envelope<T>` below is sound because the decode middleware decodes with the
 * reader schema registered for the same `ce_type`, i.e. the schema of the very definition routed to.
 */
import type { Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import type { EventHandler, HandlerContext, MessageHandler } from '../core/handler';
import { EventRegistry } from './event-registry';
import { UnhandledEventError } from './unhandled-event.error';

/** One event type and the handler for it, with the type parameter closed over. */
export interface EventRoute {
  readonly definition: EventDefinition<unknown>;
  handle(event: Envelope, context: HandlerContext): Promise<void>;
}

export function on<T>(definition: EventDefinition<T>, handler: EventHandler<T>): EventRoute {
  return {
    definition,
    handle: (event, context) => handler(event as Envelope<T>, context),
  };
}

export interface EventHandlerOptions {
  /**
   * What to do with a decoded event of a type no route handles. `skip` (default) suits topics that carry
   * several event types of which this group wants only some (it is logged at debug and then committed like
   * any handled message); `fail` raises an error, for consumers that must know every type on their topics.
   */
  unhandled?: 'skip' | 'fail';
}

/** The registry a decode middleware needs for these routes: exactly the types they handle. */
export function registryOf(routes: readonly EventRoute[]): EventRegistry {
  return new EventRegistry(routes.map((route) => route.definition));
}

/** A `MessageHandler` that dispatches decoded envelopes to typed handlers by `ce_type`. */
export function eventHandler(
  routes: readonly EventRoute[],
  options: EventHandlerOptions = {},
): MessageHandler {
  const byType = new Map<string, EventRoute>();
  for (const route of routes) {
    if (byType.has(route.definition.type)) {
      throw new Error(`Two handlers for event type ${route.definition.type}; give each type one route`);
    }
    byType.set(route.definition.type, route);
  }
  return async (message, context) => {
    const envelope = message.envelope;
    if (!envelope) {
      throw new Error('No envelope on the message: put decodeMiddleware in the pipeline before eventHandler');
    }
    const route = byType.get(envelope.type);
    if (route) return route.handle(envelope, context);
    if (options.unhandled === 'fail') {
      throw new UnhandledEventError(`No handler for event type ${envelope.type} (event ${envelope.id})`);
    }
    context.logger.debug(
      { eventType: envelope.type, eventId: envelope.id },
      'No handler for event type; skipped',
    );
  };
}
