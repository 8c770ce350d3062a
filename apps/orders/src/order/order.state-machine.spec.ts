import { ORDER_STATUSES, type OrderStatus } from '../database';
import {
  CANCELLATION_REASON,
  ORDER_TRIGGERS,
  TERMINAL_STATUSES,
  nextStatus,
  type OrderTrigger,
} from './order.state-machine';

describe('order state machine', () => {
  it('allows exactly the transitions of the saga', () => {
    const legal: [OrderStatus, OrderTrigger, OrderStatus][] = [];
    for (const from of ORDER_STATUSES) {
      for (const trigger of ORDER_TRIGGERS) {
        const to = nextStatus(from, trigger);
        if (to) legal.push([from, trigger, to]);
      }
    }
    expect(legal).toEqual([
      ['PENDING', 'stock-reserved', 'CONFIRMED'],
      ['PENDING', 'payment-declined', 'REJECTED'],
      ['PENDING', 'stock-rejected', 'CANCELLED'],
      ['PENDING', 'deadline-passed', 'CANCELLED'],
      ['CONFIRMED', 'customer-cancelled', 'CANCELLED'],
    ]);
  });

  it('never leaves a terminal status', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const trigger of ORDER_TRIGGERS) expect(nextStatus(from, trigger)).toBeUndefined();
    }
  });

  it('never moves an order back to PENDING and never applies a trigger twice', () => {
    for (const from of ORDER_STATUSES) {
      for (const trigger of ORDER_TRIGGERS) {
        const to = nextStatus(from, trigger);
        expect(to).not.toBe('PENDING');
        // Applying the same trigger again (a duplicate event) is illegal from wherever it led.
        if (to) expect(nextStatus(to, trigger)).toBeUndefined();
      }
    }
  });

  it('rejects a late StockReserved after the deadline cancelled the order', () => {
    const cancelled = nextStatus('PENDING', 'deadline-passed');
    expect(cancelled).toBe('CANCELLED');
    expect(nextStatus('CANCELLED', 'stock-reserved')).toBeUndefined();
  });

  it('names the cancellation reason of every trigger that cancels', () => {
    for (const trigger of ORDER_TRIGGERS) {
      const cancels = ORDER_STATUSES.some((from) => nextStatus(from, trigger) === 'CANCELLED');
      expect(CANCELLATION_REASON[trigger] !== undefined).toBe(cancels);
    }
    expect(CANCELLATION_REASON).toEqual({
      'stock-rejected': 'out-of-stock',
      'deadline-passed': 'deadline',
      'customer-cancelled': 'customer',
    });
  });
});
