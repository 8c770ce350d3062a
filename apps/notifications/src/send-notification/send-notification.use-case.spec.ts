import { renderMessage } from './send-notification.use-case';

const order = {
  id: '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70',
  customerId: 'customer-1',
  status: 'CONFIRMED',
  lines: [
    { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 },
    { sku: 'SKU-BLUE', quantity: 1, unitPriceCents: 499 },
  ],
  totalCents: 2_999,
  currency: 'EUR',
};

describe('renderMessage', () => {
  it('says what was ordered, the total and how it ended', () => {
    expect(renderMessage('CONFIRMED', order, null)).toBe(
      'Your order 0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70 is confirmed: 2 × SKU-RED, 1 × SKU-BLUE, 29.99 EUR.',
    );
    expect(renderMessage('REJECTED', order, 'insufficient-credit')).toBe(
      'Your order 0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70 (2 × SKU-RED, 1 × SKU-BLUE, 29.99 EUR) was not accepted: insufficient-credit.',
    );
    expect(renderMessage('CANCELLED', order, 'customer')).toBe(
      'Your order 0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70 (2 × SKU-RED, 1 × SKU-BLUE, 29.99 EUR) was cancelled: customer. Any payment is refunded.',
    );
  });
});
