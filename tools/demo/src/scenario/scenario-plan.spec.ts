import { countByPath, LIMITED_SKU, planScenario, UNKNOWN_CUSTOMER } from './scenario-plan';

describe('planScenario', () => {
  it('mixes the outcomes in fixed proportions: 300 orders', () => {
    expect(countByPath(planScenario(300))).toEqual({
      confirm: 195,
      'confirm-then-cancel': 30,
      'insufficient-credit': 30,
      'unknown-customer': 15,
      'limited-stock': 30,
    });
  });

  it('has every outcome in the first 20 orders, so the smallest allowed run shows them all', () => {
    const counts = countByPath(planScenario(20));
    expect(Object.values(counts).every((n) => n > 0)).toBe(true);
  });

  it('is deterministic and numbers the orders in sequence', () => {
    const plan = planScenario(45);
    expect(planScenario(45)).toEqual(plan);
    expect(plan.map((o) => o.index)).toEqual([...Array(45).keys()]);
  });

  it('builds each path from the seeded customers and stock', () => {
    const plan = planScenario(40);
    for (const order of plan) {
      expect(order.items.length).toBeGreaterThan(0);
      expect(new Set(order.items.map((i) => i.sku)).size).toBe(order.items.length);
      expect(order.cancelWhenConfirmed).toBe(order.path === 'confirm-then-cancel');
      switch (order.path) {
        case 'confirm':
        case 'confirm-then-cancel':
          expect(['customer-1', 'customer-2']).toContain(order.customerId);
          expect(order.items.some((i) => i.sku === LIMITED_SKU)).toBe(false);
          break;
        case 'insufficient-credit':
          // customer-5 has no credit; customer-4 has 50 EUR and buys 3 × 25 EUR.
          expect(['customer-4', 'customer-5']).toContain(order.customerId);
          break;
        case 'unknown-customer':
          expect(order.customerId).toBe(UNKNOWN_CUSTOMER);
          break;
        case 'limited-stock':
          expect(order.items).toEqual([{ sku: LIMITED_SKU, quantity: 1 }]);
          break;
      }
    }
    expect(plan.filter((o) => o.path === 'insufficient-credit').map((o) => o.customerId)).toEqual([
      'customer-5',
      'customer-4',
      'customer-5',
      'customer-4',
    ]);
  });
});
