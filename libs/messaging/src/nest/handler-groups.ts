/**
 * Pure: turns the discovered `@HandleEvent` methods into one subscription description per consumer group,
 * and refuses wiring that cannot be one subscription (settings that differ inside a group, two methods
 * for one event type in one group), naming the methods involved.
 */
import type { ConsumerRunnerOptions } from '../consumer/consumer-runner';
import type { Envelope } from '../core/envelope';
import type { DeliveryGuarantee, HandlerContext } from '../core/handler';
import { on, type EventRoute } from '../envelope/event-routes';
import type { RetryPolicy } from '../failure/retry-policy';
import { SubscriptionConfigError } from '../subscription/subscription-config.error';
import type { HandleEventMetadata } from './handle-event.decorator';

export interface DiscoveredHandler extends HandleEventMetadata {
  /** `ClassName.method`, for error messages and logs. */
  name: string;
  invoke(event: Envelope, context: HandlerContext): Promise<void>;
}

export interface HandlerGroup {
  groupId: string;
  delivery: DeliveryGuarantee;
  retry: RetryPolicy;
  concurrency: ConsumerRunnerOptions['concurrency'];
  routes: EventRoute[];
  /** Which method handles which type, for the startup log. */
  handlers: { eventType: string; name: string }[];
}

function settingsOf(handler: DiscoveredHandler, defaultRetry: RetryPolicy) {
  const { delivery, retry, concurrency } = handler.options;
  return { delivery, retry: retry ?? defaultRetry, concurrency };
}

export function groupHandlers(
  handlers: readonly DiscoveredHandler[],
  defaultRetry: RetryPolicy,
): HandlerGroup[] {
  const groups = new Map<string, { group: HandlerGroup; settings: string; first: string }>();
  for (const handler of handlers) {
    const groupId = handler.options.group;
    const settings = settingsOf(handler, defaultRetry);
    const fingerprint = JSON.stringify(settings);
    const existing = groups.get(groupId);
    if (!existing) {
      groups.set(groupId, {
        group: { groupId, ...settings, routes: [], handlers: [] },
        settings: fingerprint,
        first: handler.name,
      });
    } else if (existing.settings !== fingerprint) {
      throw new SubscriptionConfigError(
        `Consumer group "${groupId}" is configured twice differently: ${existing.first} has ${existing.settings}, ` +
          `${handler.name} has ${fingerprint}. One group is one consumer: give both the same delivery, retry and ` +
          'concurrency, or put them in different groups',
      );
    }
    const { group } = groups.get(groupId) as { group: HandlerGroup };
    const type = handler.definition.type;
    const clash = group.handlers.find((h) => h.eventType === type);
    if (clash) {
      throw new SubscriptionConfigError(
        `Consumer group "${groupId}" has two handlers for event type ${type}: ${clash.name} and ${handler.name}`,
      );
    }
    group.routes.push(on(handler.definition, (event, context) => handler.invoke(event, context)));
    group.handlers.push({ eventType: type, name: handler.name });
  }
  return [...groups.values()].map((g) => g.group);
}
