import { contributionOf, foldOrderView } from './order-view';
import { interleavingCount, interleavings, sagaScenarios } from './saga-scenarios';

const ORDER = '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70';

describe('foldOrderView', () => {
  const scenarios = sagaScenarios(ORDER, 'customer-7');

  it('enumerates every interleaving that keeps each topic in order', () => {
    expect(interleavings([[1, 2], [3], [4]])).toHaveLength(12);
    expect(interleavings([[1, 2], [3], [4]])).toContainEqual([3, 1, 4, 2]);
    expect(interleavings([[1, 2], [3], [4]])).not.toContainEqual([2, 1, 3, 4]);
    expect(scenarios.map((s) => interleavings(s.topics).length)).toEqual([12, 3, 30, 90]);
    expect(scenarios.map((s) => interleavingCount(s.topics.map((t) => t.length)))).toEqual([12, 3, 30, 90]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s: every interleaving gives one view',
    (_, scenario) => {
      const views = interleavings(scenario.topics).map((events) => foldOrderView(ORDER, events));
      for (const view of views) expect(view).toEqual(views[0]);
    },
  );

  it('a redelivered event changes nothing', () => {
    const [happy] = scenarios;
    const events = happy!.topics.flat();
    expect(foldOrderView(ORDER, [...events, events[1]!, events[0]!])).toEqual(foldOrderView(ORDER, events));
  });

  it('states what each saga ended in', () => {
    const summary = scenarios.map((s) => {
      const view = foldOrderView(ORDER, s.topics.flat());
      return [
        view.state,
        view.stateReason,
        view.paymentState,
        view.paymentReason,
        view.reservationState,
        view.reservationShortSku,
        view.timeline.length,
      ];
    });
    expect(summary).toEqual([
      ['CONFIRMED', null, 'AUTHORIZED', null, 'RESERVED', null, 4],
      ['REJECTED', 'insufficient-credit', 'DECLINED', 'insufficient-credit', 'NONE', null, 3],
      ['CANCELLED', 'out-of-stock', 'REFUNDED', 'out-of-stock', 'REJECTED', 'SKU-RED', 5],
      ['CANCELLED', 'customer', 'REFUNDED', 'order-cancelled', 'RELEASED', null, 6],
    ]);
    expect(foldOrderView(ORDER, scenarios[0]!.topics.flat())).toMatchObject({
      customerId: 'customer-7',
      totalCents: 3_000,
      currency: 'EUR',
      lines: [
        { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 },
        { sku: 'SKU-BLUE', quantity: 1, unitPriceCents: 500 },
      ],
    });
  });

  it('knows the customer but no state until OrderPlaced is read', () => {
    const [happy] = scenarios;
    const view = foldOrderView(ORDER, happy!.topics[1]!);
    expect(view).toMatchObject({ customerId: 'customer-7', state: null, paymentState: 'AUTHORIZED' });
    expect(contributionOf(view)).toBeNull();
  });

  it('contributes spending when confirmed and a refund when refunded', () => {
    const views = scenarios.map((s) => foldOrderView(ORDER, s.topics.flat()));
    expect(views.map(contributionOf)).toEqual([
      {
        customerId: 'customer-7',
        state: 'CONFIRMED',
        currency: 'EUR',
        spentCents: 3_000,
        refunds: 0,
        refundedCents: 0,
      },
      {
        customerId: 'customer-7',
        state: 'REJECTED',
        currency: 'EUR',
        spentCents: 0,
        refunds: 0,
        refundedCents: 0,
      },
      {
        customerId: 'customer-7',
        state: 'CANCELLED',
        currency: 'EUR',
        spentCents: 0,
        refunds: 1,
        refundedCents: 3_000,
      },
      {
        customerId: 'customer-7',
        state: 'CANCELLED',
        currency: 'EUR',
        spentCents: 0,
        refunds: 1,
        refundedCents: 3_000,
      },
    ]);
  });
});
