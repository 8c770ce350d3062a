import type { EventDefinition } from '../core/event-definition';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../failure/retry-policy';
import { SubscriptionConfigError } from '../subscription/subscription-config.error';
import type { HandleEventOptions } from './handle-event.decorator';
import { groupHandlers, type DiscoveredHandler } from './handler-groups';

const definition = (type: string): EventDefinition<unknown> => ({
  type,
  topic: 'orders.events',
  schema: { type: 'record', name: type, fields: [] },
  key: () => 'k',
});

const handler = (name: string, type: string, options: HandleEventOptions): DiscoveredHandler => ({
  name,
  definition: definition(type),
  options,
  invoke: () => Promise.resolve(),
});

describe('groupHandlers', () => {
  it('puts the methods of one group into one subscription and keeps groups apart', () => {
    const groups = groupHandlers(
      [
        handler('Pay.placed', 'Placed', { group: 'payments', delivery: 'effectively-once' }),
        handler('Stock.placed', 'Placed', { group: 'inventory', delivery: 'at-least-once' }),
        handler('Pay.cancelled', 'Cancelled', { group: 'payments', delivery: 'effectively-once' }),
      ],
      DEFAULT_RETRY_POLICY,
    );
    expect(groups.map((g) => ({ groupId: g.groupId, delivery: g.delivery, handlers: g.handlers }))).toEqual([
      {
        groupId: 'payments',
        delivery: 'effectively-once',
        handlers: [
          { eventType: 'Placed', name: 'Pay.placed' },
          { eventType: 'Cancelled', name: 'Pay.cancelled' },
        ],
      },
      {
        groupId: 'inventory',
        delivery: 'at-least-once',
        handlers: [{ eventType: 'Placed', name: 'Stock.placed' }],
      },
    ]);
    expect(groups[0]?.routes.map((r) => r.definition.type)).toEqual(['Placed', 'Cancelled']);
    expect(groups[0]?.retry).toBe(DEFAULT_RETRY_POLICY);
  });

  it('treats an omitted retry as the default, so it does not conflict with the default spelled out', () => {
    expect(() =>
      groupHandlers(
        [
          handler('A.a', 'A', { group: 'g', delivery: 'at-least-once' }),
          handler('B.b', 'B', { group: 'g', delivery: 'at-least-once', retry: { ...DEFAULT_RETRY_POLICY } }),
        ],
        DEFAULT_RETRY_POLICY,
      ),
    ).not.toThrow();
  });

  it.each<[string, HandleEventOptions]>([
    ['delivery', { group: 'g', delivery: 'at-most-once' }],
    [
      'retry',
      {
        group: 'g',
        delivery: 'at-least-once',
        retry: { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [] },
      },
    ],
    ['concurrency', { group: 'g', delivery: 'at-least-once', concurrency: { perKey: true } }],
  ])('refuses a group whose methods differ in %s, naming both', (_setting, options) => {
    const build = () =>
      groupHandlers(
        [handler('A.a', 'A', { group: 'g', delivery: 'at-least-once' }), handler('B.b', 'B', options)],
        DEFAULT_RETRY_POLICY as RetryPolicy,
      );
    expect(build).toThrow(SubscriptionConfigError);
    expect(build).toThrow(/Consumer group "g" is configured twice differently: A.a has .* B.b has/);
  });

  it('refuses two methods for one event type in one group', () => {
    expect(() =>
      groupHandlers(
        [
          handler('A.a', 'Placed', { group: 'g', delivery: 'at-least-once' }),
          handler('B.b', 'Placed', { group: 'g', delivery: 'at-least-once' }),
        ],
        DEFAULT_RETRY_POLICY,
      ),
    ).toThrow('Consumer group "g" has two handlers for event type Placed: A.a and B.b');
  });
});
