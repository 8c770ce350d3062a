import { HttpException } from '@nestjs/common';
import { validateRequest } from '@orderstream/platform';
import { placeOrderRoute } from './place-order.controller';
import { MAX_LINES, MAX_QUANTITY, repeatedSkuErrors } from './place-order.request';

/** Validates a POST /orders as the platform does before the handler runs; the problem body if it fails. */
function validate(body: unknown, headers: Record<string, string | undefined> = { 'idempotency-key': 'k-1' }) {
  const json = JSON.stringify(body);
  try {
    return {
      ok: true as const,
      value: validateRequest(placeOrderRoute, {
        params: {},
        query: {},
        headers: { 'content-type': 'application/json', 'content-length': String(json.length), ...headers },
        body,
      }),
    };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const problem = error.getResponse() as { errors?: { field: string }[] };
    return { ok: false as const, status: error.getStatus(), fields: problem.errors?.map((e) => e.field) };
  }
}

describe('the POST /orders request schemas', () => {
  const valid = { customerId: 'customer-1', items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] };

  it('accept a well-formed order and its key', () => {
    expect(validate(valid)).toEqual({
      ok: true,
      value: { path: undefined, query: undefined, headers: { 'Idempotency-Key': 'k-1' }, body: valid },
    });
  });

  it.each([
    ['a wrong type', { ...valid, items: [{ sku: 'SKU-RED-MUG', quantity: '2' }] }, 'items[0].quantity'],
    [
      'a fractional quantity',
      { ...valid, items: [{ sku: 'SKU-RED-MUG', quantity: 1.5 }] },
      'items[0].quantity',
    ],
    ['a zero quantity', { ...valid, items: [{ sku: 'A', quantity: 0 }] }, 'items[0].quantity'],
    ['a negative quantity', { ...valid, items: [{ sku: 'A', quantity: -3 }] }, 'items[0].quantity'],
    [
      'an absurd quantity',
      { ...valid, items: [{ sku: 'A', quantity: MAX_QUANTITY + 1 }] },
      'items[0].quantity',
    ],
    ['no lines', { ...valid, items: [] }, 'items'],
    [
      'too many lines',
      { ...valid, items: Array.from({ length: MAX_LINES + 1 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 })) },
      'items',
    ],
    ['a NUL in a SKU', { ...valid, items: [{ sku: 'SKU\u0000X', quantity: 1 }] }, 'items[0].sku'],
    ['a NUL in the customer', { ...valid, customerId: 'a\u0000b' }, 'customerId'],
    ['an empty customer', { ...valid, customerId: '' }, 'customerId'],
    ['a missing customer', { items: valid.items }, 'customerId'],
    ['an unknown member', { ...valid, coupon: 'FREE' }, '(body)'],
    ['not an object', [valid], '(body)'],
    ['null', null, '(body)'],
  ])('answer 400 for %s, naming the field', (_case, body, field) => {
    const result = validate(body);
    expect(result).toMatchObject({ ok: false, status: 400 });
    // One field, possibly with more than one message (an empty id is too short and off-pattern).
    expect(new Set(result.ok ? [] : result.fields)).toEqual(new Set([field]));
  });

  it.each([
    ['missing', undefined],
    ['repeated (joined by Node)', 'k-1, k-2'],
    ['overlong', 'x'.repeat(201)],
    ['with a control character', 'k\u0001'],
  ])('answer 400 for an Idempotency-Key %s', (_case, key) => {
    expect(validate(valid, { 'idempotency-key': key })).toEqual({
      ok: false,
      status: 400,
      fields: ['header:Idempotency-Key'],
    });
  });

  it('answer 415 for a body that is not JSON', () => {
    expect(() =>
      validateRequest(placeOrderRoute, {
        params: {},
        query: {},
        headers: { 'content-type': 'text/plain', 'content-length': '2', 'idempotency-key': 'k' },
        body: {},
      }),
    ).toThrow(expect.objectContaining({ status: 415 }) as Error);
  });
});

describe('repeatedSkuErrors', () => {
  it('names every line whose SKU an earlier line has (a 422: no schema can say it)', () => {
    expect(
      repeatedSkuErrors([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
      ]),
    ).toEqual([{ field: 'items[2].sku', message: 'A appears more than once' }]);
    expect(repeatedSkuErrors([{ sku: 'A', quantity: 1 }])).toEqual([]);
  });
});
