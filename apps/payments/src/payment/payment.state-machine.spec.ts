import { declineReason, transition, type PaymentStatus } from './payment.state-machine';

describe('payment state machine', () => {
  it('authorizes an order it has no payment for', () => {
    expect(transition(undefined, { kind: 'authorize' })).toEqual({ kind: 'authorize' });
  });

  it.each<PaymentStatus>(['AUTHORIZED', 'DECLINED', 'REFUNDED'])(
    'never authorizes an order twice (payment %s)',
    (status) => {
      expect(transition(status, { kind: 'authorize' })).toEqual({
        kind: 'refused',
        from: status,
        command: 'authorize',
      });
    },
  );

  it('refunds an authorized payment with the reason it was given', () => {
    expect(transition('AUTHORIZED', { kind: 'refund', reason: 'out-of-stock' })).toEqual({
      kind: 'refund',
      reason: 'out-of-stock',
    });
    expect(transition('AUTHORIZED', { kind: 'refund', reason: 'order-cancelled' })).toEqual({
      kind: 'refund',
      reason: 'order-cancelled',
    });
  });

  it.each<[PaymentStatus | undefined, string]>([
    ['REFUNDED', 'REFUNDED'],
    ['DECLINED', 'DECLINED'],
    [undefined, 'NONE'],
  ])('refuses to refund a payment that is %s', (status, from) => {
    expect(transition(status, { kind: 'refund', reason: 'order-cancelled' })).toEqual({
      kind: 'refused',
      from,
      command: 'refund',
    });
  });

  it('names why no credit was reserved', () => {
    expect(declineReason(true)).toBe('insufficient-credit');
    expect(declineReason(false)).toBe('unknown-customer');
  });
});
