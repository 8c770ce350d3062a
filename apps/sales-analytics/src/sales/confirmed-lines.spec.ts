import { stepOrder, windowStartOf, type OrderProgress } from './confirmed-lines';
import { addToTotals } from './sku-sales';

const AT = Date.UTC(2026, 11, 7, 18, 22, 41, 500);
const MINUTE = Date.UTC(2026, 11, 7, 18, 22);
const placed = {
  kind: 'placed' as const,
  orderId: 'o-1',
  currency: 'EUR',
  lines: [
    { sku: 'RED', quantity: 2, unitPriceCents: 100 },
    { sku: 'BLUE', quantity: 1, unitPriceCents: 50 },
    { sku: 'RED', quantity: 1, unitPriceCents: 100 },
  ],
};

function run(events: Parameters<typeof stepOrder>[1][]): { state?: OrderProgress; deltas: unknown[] } {
  let state: OrderProgress | undefined;
  const deltas: unknown[] = [];
  for (const event of events) {
    const step = stepOrder(state, event, AT);
    if (step.next) state = step.next;
    deltas.push(...step.deltas);
  }
  return { state, deltas };
}

describe('stepOrder', () => {
  it('forwards one delta per SKU when an order is confirmed, in the minute of its confirmation', () => {
    expect(run([placed, { kind: 'confirmed', orderId: 'o-1' }]).deltas).toEqual([
      {
        sku: 'RED',
        orderId: 'o-1',
        units: 3,
        revenueCents: 300,
        currency: 'EUR',
        orders: 1,
        windowStart: MINUTE,
        at: AT,
      },
      {
        sku: 'BLUE',
        orderId: 'o-1',
        units: 1,
        revenueCents: 50,
        currency: 'EUR',
        orders: 1,
        windowStart: MINUTE,
        at: AT,
      },
    ]);
  });

  it('retracts a confirmed order its customer cancelled, and counts a duplicate confirmation once', () => {
    const { deltas, state } = run([
      placed,
      { kind: 'confirmed', orderId: 'o-1' },
      { kind: 'confirmed', orderId: 'o-1' },
      { kind: 'cancelled', orderId: 'o-1' },
      { kind: 'cancelled', orderId: 'o-1' },
      placed,
    ]);
    expect(deltas.map((d) => (d as { units: number }).units)).toEqual([3, 1, -3, -1]);
    expect(state).toEqual({ status: 'ended' });
  });

  it('never counts a rejected order, nor a confirmation without its OrderPlaced', () => {
    expect(
      run([placed, { kind: 'rejected', orderId: 'o-1' }, { kind: 'confirmed', orderId: 'o-1' }]).deltas,
    ).toEqual([]);
    expect(stepOrder(undefined, { kind: 'confirmed', orderId: 'o-2' }, AT)).toEqual({
      deltas: [],
      unmatched: true,
    });
  });

  it('puts an instant in the minute that contains it', () => {
    expect(windowStartOf(AT)).toBe(MINUTE);
    expect(windowStartOf(MINUTE)).toBe(MINUTE);
  });
});

describe('addToTotals', () => {
  it('refuses a delta in another currency than the SKU is sold in', () => {
    const totals = { units: 1, revenueCents: 100, currency: 'EUR', orders: 1, updatedAt: AT };
    expect(() =>
      addToTotals(totals, {
        sku: 'RED',
        orderId: 'o-9',
        units: 1,
        revenueCents: 1,
        currency: 'USD',
        orders: 1,
        windowStart: MINUTE,
        at: AT,
      }),
    ).toThrow(expect.objectContaining({ code: 'SKU_CURRENCY_MISMATCH', retriable: false }));
  });
});
