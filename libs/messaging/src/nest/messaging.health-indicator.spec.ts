import { HealthIndicatorService } from '@nestjs/terminus';
import type { Subscription, SubscriptionState } from '../subscription/subscription';
import { MessagingHealthIndicator } from './messaging.health-indicator';
import type { MessagingRuntime } from './messaging.runtime';

/** A runtime with one group per state given, and the publisher connected unless told otherwise. */
function indicatorWith(states: SubscriptionState[], publisherConnected = true): MessagingHealthIndicator {
  const subscriptions = states.map(
    (state, i) =>
      ({
        status: () => ({
          groupId: `group-${i}`,
          state,
          assignments: state === 'joined' ? [{ topic: 'orders.events', partitions: [2, 0] }] : [],
        }),
      }) as Pick<Subscription, 'status'>,
  );
  const runtime = {
    subscriptions: () => subscriptions,
    isPublisherConnected: () => publisherConnected,
  } as unknown as MessagingRuntime;
  return new MessagingHealthIndicator(runtime, new HealthIndicatorService());
}

const statusOf = (indicator: MessagingHealthIndicator) => indicator.isHealthy('messaging').messaging.status;

describe('MessagingHealthIndicator', () => {
  it('is up when the publisher is connected and every group has joined, naming their partitions', () => {
    expect(indicatorWith(['joined']).isHealthy('messaging')).toEqual({
      messaging: {
        status: 'up',
        producer: 'connected',
        groups: { 'group-0': { state: 'joined', partitions: { 'orders.events': [0, 2] } } },
      },
    });
  });

  it('stays up while a group that had joined rebalances', () => {
    expect(statusOf(indicatorWith(['joined', 'rebalancing']))).toBe('up');
  });

  it.each<SubscriptionState>(['starting', 'crashed', 'stopped'])('is down while a group is %s', (state) => {
    expect(statusOf(indicatorWith(['joined', state]))).toBe('down');
  });

  it('is down when the publisher is disconnected', () => {
    expect(statusOf(indicatorWith(['joined'], false))).toBe('down');
  });

  it('is up with no consumer groups at all (a service that only publishes)', () => {
    expect(statusOf(indicatorWith([]))).toBe('up');
  });
});
