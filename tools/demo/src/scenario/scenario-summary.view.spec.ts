import type { RecordedEvent } from './event.recorder';
import { isSystemDeadLetterTopic, type OrderResult } from './scenario.runner';
import { renderNotifications, renderOutcomes, renderTimeline, renderTracing } from './scenario-summary.view';
import { planScenario } from './scenario-plan';

const [confirm, , , cancel] = planScenario(4);

function result(status: OrderResult['status'], reason: string | null, planned = confirm): OrderResult {
  if (!planned) throw new Error('plan too short');
  return { planned, orderId: 'o-1', status, reason };
}

function event(
  type: string,
  source: string,
  topic: string,
  offset: string,
  time: string,
  id: string,
  causationId?: string,
): RecordedEvent {
  return {
    topic,
    partition: 1,
    offset,
    key: 'o-1',
    timestamp: Date.parse(time) + 40,
    headers: {
      ce_type: `orderstream.x.${type}`,
      ce_source: source,
      ce_time: time,
      ce_id: id,
      ...(causationId ? { 'causation-id': causationId } : {}),
    },
  };
}

describe('renderOutcomes', () => {
  it('counts orders by final state and reason, in saga order, with the paths they were planned as', () => {
    const text = renderOutcomes([
      result('REJECTED', 'insufficient-credit'),
      result('CONFIRMED', null),
      result('CANCELLED', 'customer', cancel),
      result('CONFIRMED', null),
    ]);
    const lines = text.split('\n').map((line) => line.trim().replace(/\s+/g, ' '));
    expect(lines).toEqual([
      'state reason orders planned as',
      expect.stringMatching(/^─+ ─+ ─+ ─+$/),
      'CONFIRMED — 2 confirm ×2',
      'CANCELLED customer 1 confirm-then-cancel ×1',
      'REJECTED insufficient-credit 1 confirm ×1',
      'total 4',
    ]);
  });

  it('mentions orders that met an unexpected answer', () => {
    const text = renderOutcomes([{ ...result('NOT PLACED', null), error: 'POST /orders: 503' }]);
    expect(text).toContain('1 order(s) hit an unexpected answer: POST /orders: 503');
  });
});

describe('renderTimeline', () => {
  it('orders events by ce_time and names what caused each one', () => {
    const events = [
      event(
        'PaymentAuthorized',
        '/orderstream/payments',
        'payments.events',
        '7',
        '2026-01-01T10:00:00.250Z',
        'b',
        'a',
      ),
      event('OrderPlaced', '/orderstream/orders', 'orders.events', '3', '2026-01-01T10:00:00.000Z', 'a'),
    ];
    const lines = renderTimeline(result('CANCELLED', 'customer', cancel), events)
      .split('\n')
      .map((line) => line.trim().replace(/\s+/g, ' '));
    expect(lines[1]).toBe('Timeline of order o-1 (customer-1; CANCELLED, customer)');
    expect(lines[4]).toBe(
      '10:00:00.000 +0 ms +40 ms OrderPlaced /orderstream/orders orders.events[1]@3 — (HTTP or deadline)',
    );
    expect(lines[5]).toBe(
      '10:00:00.250 +250 ms +290 ms PaymentAuthorized /orderstream/payments payments.events[1]@7 OrderPlaced',
    );
  });
});

describe('renderNotifications', () => {
  it('counts the notifications each instance sent, and says whether every ended order was notified once', () => {
    const text = renderNotifications({
      url: 'http://notifications',
      owed: 12,
      notified: 12,
      duplicates: 0,
      byInstance: new Map([
        ['notifications-b', 5],
        ['notifications-a', 8],
      ]),
      settled: true,
    });
    const lines = text.split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(lines.slice(2, 5)).toEqual([
      ['notifications-a', '8'],
      ['notifications-b', '5'],
      ['total', '13'],
    ]);
    expect(text).toContain('12 of 12 ended orders notified of their final state; 0 duplicate(s)');
    expect(text).not.toContain('had not been sent');
  });
});

describe('isSystemDeadLetterTopic', () => {
  it("tells the system's groups' dead-letter topics from those of tests sharing the broker", () => {
    const topics = [
      'payments.dlt',
      'notifications.dlt',
      'orders-stock-replica.dlt',
      'order-history.g3.dlt',
      'order-history.gx.dlt',
      'payments-test-1a2b.payments.dlt',
      'orders.retry.1',
    ];
    expect(topics.filter(isSystemDeadLetterTopic)).toEqual([
      'payments.dlt',
      'notifications.dlt',
      'orders-stock-replica.dlt',
      'order-history.g3.dlt',
    ]);
  });
});

describe('renderTracing', () => {
  it('counts the records with a traceparent and names the first without one', () => {
    expect(renderTracing({ records: 3, traced: 3, untraced: [] }, 'abc')).toBe(
      "  3 of 3 records carry a traceparent.\n  The poison message's trace (its failed attempts and dead letters): abc",
    );
    expect(renderTracing({ records: 9, traced: 2, untraced: ['orders.events[0]@4'] }, undefined)).toBe(
      '  2 of 9 records carry a traceparent.\n  Without one: orders.events[0]@4, …',
    );
  });
});
