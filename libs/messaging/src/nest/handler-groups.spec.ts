import type { EventDefinition } from '../core/event-definition';
import { DEFAULT_RETRY_POLICY } from '../failure/retry-policy';
import { defineConsumer, type ConsumerDefinition } from '../subscription/consumer-definition';
import { SubscriptionConfigError } from '../subscription/subscription-config.error';
import { groupHandlers, type DiscoveredHandler } from './handler-groups';

const definition = (type: string): EventDefinition<unknown> => ({
  type,
  topic: 'orders.events',
  schema: { type: 'record', name: type, fields: [] },
  key: () => 'k',
});

const handler = (name: string, consumer: ConsumerDefinition, type: string): DiscoveredHandler => ({
  name,
  consumer,
  definition: definition(type),
  invoke: () => Promise.resolve(),
});

const payments = defineConsumer({
  name: 'payments',
  delivery: 'effectively-once',
  retry: DEFAULT_RETRY_POLICY,
});
const inventory = defineConsumer({
  name: 'inventory',
  delivery: 'at-least-once',
  retry: DEFAULT_RETRY_POLICY,
});
const byName = (consumer: ConsumerDefinition) => consumer.name;

describe('groupHandlers', () => {
  it('puts the methods of one consumer into one subscription and keeps consumers apart', () => {
    const groups = groupHandlers(
      [
        handler('Pay.placed', payments, 'Placed'),
        handler('Stock.placed', inventory, 'Placed'),
        handler('Refund.cancelled', payments, 'Cancelled'),
      ],
      byName,
    );
    expect(groups.map((g) => ({ groupId: g.groupId, consumer: g.consumer, handlers: g.handlers }))).toEqual([
      {
        groupId: 'payments',
        consumer: payments,
        handlers: [
          { eventType: 'Placed', name: 'Pay.placed' },
          { eventType: 'Cancelled', name: 'Refund.cancelled' },
        ],
      },
      {
        groupId: 'inventory',
        consumer: inventory,
        handlers: [{ eventType: 'Placed', name: 'Stock.placed' }],
      },
    ]);
    expect(groups[0]?.routes.map((r) => r.definition.type)).toEqual(['Placed', 'Cancelled']);
  });

  it('takes the group id from configuration, not from the definition', () => {
    const groups = groupHandlers([handler('Pay.placed', payments, 'Placed')], () => 'payments-blue');
    expect(groups.map((g) => g.groupId)).toEqual(['payments-blue']);
  });

  it('refuses two methods for one event type in one consumer, naming both', () => {
    expect(() =>
      groupHandlers(
        [handler('A.placed', payments, 'Placed'), handler('B.placed', payments, 'Placed')],
        byName,
      ),
    ).toThrow(
      new SubscriptionConfigError(
        'Consumer group "payments" has two handlers for event type Placed: A.placed and B.placed',
      ),
    );
  });

  it('refuses two definitions that would run as one consumer group', () => {
    const copy = defineConsumer({ name: 'payments', delivery: 'at-least-once', retry: DEFAULT_RETRY_POLICY });
    expect(() =>
      groupHandlers(
        [handler('A.placed', payments, 'Placed'), handler('B.cancelled', copy, 'Cancelled')],
        byName,
      ),
    ).toThrow(
      /Consumer group "payments" is declared by two consumer definitions \(A\.placed uses "payments", B\.cancelled uses "payments"\)/,
    );
  });
});
