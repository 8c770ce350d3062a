/**
 * Pure: turns the discovered `@HandleEvent` methods into one subscription description per consumer. A
 * consumer is its `defineConsumer` object, so the settings need no reconciling: they are stated once. What
 * is refused, naming the methods involved: two methods for one event type in one consumer, and two
 * different consumer definitions that would run as the same consumer group.
 */
import type { Envelope } from '../core/envelope';
import type { HandlerContext } from '../core/handler';
import { on, type EventRoute } from '../envelope/event-routes';
import type { ConsumerDefinition } from '../subscription/consumer-definition';
import { SubscriptionConfigError } from '../subscription/subscription-config.error';
import type { HandleEventMetadata } from './handle-event.decorator';

export interface DiscoveredHandler extends HandleEventMetadata {
  /** `ClassName.method`, for error messages and logs. */
  name: string;
  invoke(event: Envelope, context: HandlerContext): Promise<void>;
}

export interface HandlerGroup {
  consumer: ConsumerDefinition;
  groupId: string;
  routes: EventRoute[];
  /** Which method handles which type, for the startup log. */
  handlers: { eventType: string; name: string }[];
}

/**
 * `groupIdOf` resolves a consumer's group id from the service's configuration (the module's `groupIds`,
 * default the consumer's name).
 */
export function groupHandlers(
  handlers: readonly DiscoveredHandler[],
  groupIdOf: (consumer: ConsumerDefinition) => string,
): HandlerGroup[] {
  const groups = new Map<ConsumerDefinition, HandlerGroup>();
  const byGroupId = new Map<string, { consumer: ConsumerDefinition; first: string }>();
  for (const handler of handlers) {
    const { consumer } = handler;
    let group = groups.get(consumer);
    if (!group) {
      const groupId = groupIdOf(consumer);
      const taken = byGroupId.get(groupId);
      if (taken) {
        throw new SubscriptionConfigError(
          `Consumer group "${groupId}" is declared by two consumer definitions (${taken.first} uses "${taken.consumer.name}", ` +
            `${handler.name} uses "${consumer.name}"): one group is one consumer, so refer to one defineConsumer(...) ` +
            'object from both, or give them different group ids',
        );
      }
      byGroupId.set(groupId, { consumer, first: handler.name });
      group = { consumer, groupId, routes: [], handlers: [] };
      groups.set(consumer, group);
    }
    const type = handler.definition.type;
    const clash = group.handlers.find((h) => h.eventType === type);
    if (clash) {
      throw new SubscriptionConfigError(
        `Consumer group "${group.groupId}" has two handlers for event type ${type}: ${clash.name} and ${handler.name}`,
      );
    }
    group.routes.push(on(handler.definition, (event, context) => handler.invoke(event, context)));
    group.handlers.push({ eventType: type, name: handler.name });
  }
  return [...groups.values()];
}
