import type { EventDefinition } from '../core/event-definition';
import { on } from '../envelope/event-routes';
import { InvalidRetryPolicyError } from '../failure/retry-policy';
import { sourceTopicsOf, validateSubscription } from './subscription';
import { SubscriptionConfigError } from './subscription-config.error';

const definition = (type: string, topic: string): EventDefinition<{ id: string }> => ({
  type,
  topic,
  schema: { type: 'record', name: type.replace(/\W/g, ''), fields: [] },
  key: (data) => data.id,
});
const noop = () => Promise.resolve();
const placed = on(definition('test.Placed', 'orders.events'), noop);
const paid = on(definition('test.Paid', 'payments.events'), noop);
const cancelled = on(definition('test.Cancelled', 'orders.events'), noop);

describe('sourceTopicsOf', () => {
  it("defaults to the distinct topics of the routes' definitions, in order of first appearance", () => {
    expect(sourceTopicsOf([placed, paid, cancelled])).toEqual(['orders.events', 'payments.events']);
  });

  it('takes explicit topics as given, without repeats', () => {
    expect(sourceTopicsOf([placed], ['a', 'b', 'a'])).toEqual(['a', 'b']);
  });
});

describe('validateSubscription', () => {
  const valid = { groupId: 'payments', routes: [placed, paid], delivery: 'at-least-once' } as const;

  it('accepts a complete description', () => {
    expect(() => validateSubscription(valid)).not.toThrow();
  });

  it.each([
    [
      'effectively-once without an inbox',
      { delivery: 'effectively-once' },
      /effectively-once but has no inbox/,
    ],
    ['no routes', { routes: [] }, /has no routes/],
    ['an empty group id', { groupId: ' ' }, /non-empty groupId/],
    ['two routes for one type', { routes: [placed, placed] }, /two handlers for event type test.Placed/],
    ['an empty topics list', { topics: [] }, /empty topics list/],
    ['an unknown delivery', { delivery: 'exactly-once' }, /unknown delivery guarantee "exactly-once"/],
    [
      'a negative topic wait',
      { topicWaitTimeoutMs: -1 },
      /topicWaitTimeoutMs -1; it must be an integer >= 0/,
    ],
  ])('rejects %s with a non-retriable SubscriptionConfigError', (_case, override, message) => {
    const check = () =>
      validateSubscription({ ...valid, ...override } as Parameters<typeof validateSubscription>[0]);
    expect(check).toThrow(SubscriptionConfigError);
    expect(check).toThrow(message);
    expect(check).toThrow(
      expect.objectContaining({ code: 'MESSAGING_SUBSCRIPTION_CONFIG', retriable: false }),
    );
  });

  it('rejects an invalid retry policy with the retry policy error', () => {
    expect(() =>
      validateSubscription({ ...valid, retry: { immediate: { attempts: 0, backoffMs: 0 }, delaysMs: [] } }),
    ).toThrow(InvalidRetryPolicyError);
  });
});
