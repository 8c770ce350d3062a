import {
  MAX_LINES,
  MAX_QUANTITY,
  validateIdempotencyKey,
  validatePlaceOrderBody,
} from './place-order.request';

describe('validatePlaceOrderBody', () => {
  const valid = { customerId: 'customer-1', items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] };

  it('accepts a well-formed order', () => {
    expect(validatePlaceOrderBody(valid)).toEqual({ ok: true, value: valid });
  });

  it.each([
    ['a wrong type', { ...valid, items: [{ sku: 'SKU-RED-MUG', quantity: '2' }] }, 'items[0].quantity'],
    [
      'a fractional quantity',
      { ...valid, items: [{ sku: 'SKU-RED-MUG', quantity: 1.5 }] },
      'items[0].quantity',
    ],
    ['a missing customer', { items: valid.items }, 'customerId'],
    ['an unknown member', { ...valid, coupon: 'FREE' }, '(body)'],
    ['not an object', [valid], '(body)'],
  ])('answers 400 for %s, naming the field', (_case, body, field) => {
    const result = validatePlaceOrderBody(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.errors.map((e) => e.field)).toEqual([field]);
  });

  it.each([
    ['a zero quantity', [{ sku: 'A', quantity: 0 }], 'items[0].quantity'],
    ['a negative quantity', [{ sku: 'A', quantity: -3 }], 'items[0].quantity'],
    ['an absurd quantity', [{ sku: 'A', quantity: MAX_QUANTITY + 1 }], 'items[0].quantity'],
    ['no lines', [], 'items'],
    [
      'too many lines',
      Array.from({ length: MAX_LINES + 1 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 })),
      'items',
    ],
    [
      'a duplicate SKU',
      [
        { sku: 'A', quantity: 1 },
        { sku: 'A', quantity: 2 },
      ],
      'items[1].sku',
    ],
  ])('answers 422 for %s, naming the field', (_case, items, field) => {
    const result = validatePlaceOrderBody({ customerId: 'c', items });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.errors.map((e) => e.field)).toEqual([field]);
  });
});

describe('validateIdempotencyKey', () => {
  it('requires the header', () => {
    expect(validateIdempotencyKey(undefined)).toEqual({
      ok: false,
      status: 400,
      errors: [{ field: 'header:Idempotency-Key', message: 'required' }],
    });
  });

  it('refuses repeated, overlong and non-printable keys', () => {
    for (const key of [['a', 'b'], 'x'.repeat(201), 'has space']) {
      expect(validateIdempotencyKey(key)).toMatchObject({ ok: false, status: 400 });
    }
  });

  it('accepts a UUID', () => {
    expect(validateIdempotencyKey('0b7c3a52-6f0e-4a39-9d43-0d9b2a6f1c11')).toMatchObject({ ok: true });
  });
});
