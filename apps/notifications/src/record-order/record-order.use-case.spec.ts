import type { OrderPlaced } from '@orderstream/contracts';
import { orderRecordOf } from './record-order.use-case';

describe('orderRecordOf', () => {
  const placed: OrderPlaced = {
    orderId: '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e7f',
    customerId: 'customer-1',
    lines: [
      { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 },
      { sku: 'SKU-BLUE', quantity: 3, unitPriceCents: 500 },
    ],
    totalCents: 4_000,
    currency: 'EUR',
    placedAt: Date.UTC(2026, 0, 1),
  };

  it('keeps the order, its customer and its total, and counts its units over every line', () => {
    expect(orderRecordOf(placed)).toEqual({
      orderId: placed.orderId,
      customerId: 'customer-1',
      itemCount: 5,
      totalCents: 4_000,
      currency: 'EUR',
    });
  });

  it('counts no units for an order without lines', () => {
    expect(orderRecordOf({ ...placed, lines: [], totalCents: 0 })).toMatchObject({
      itemCount: 0,
      totalCents: 0,
    });
  });
});
