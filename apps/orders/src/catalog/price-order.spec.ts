import { priceOrder, type CatalogPrice } from './price-order';

const catalog = new Map<string, CatalogPrice>([
  ['SKU-RED-MUG', { unitPriceCents: 1200, currency: 'EUR' }],
  ['SKU-TEE-M', { unitPriceCents: 2500, currency: 'EUR' }],
  ['SKU-USD', { unitPriceCents: 100, currency: 'USD' }],
]);

describe('priceOrder', () => {
  it('prices every line from the catalog and sums in cents', () => {
    expect(
      priceOrder(
        [
          { sku: 'SKU-RED-MUG', quantity: 3 },
          { sku: 'SKU-TEE-M', quantity: 1 },
        ],
        catalog,
      ),
    ).toEqual({
      ok: true,
      order: {
        lines: [
          { sku: 'SKU-RED-MUG', quantity: 3, unitPriceCents: 1200 },
          { sku: 'SKU-TEE-M', quantity: 1, unitPriceCents: 2500 },
        ],
        totalCents: 6100,
        currency: 'EUR',
      },
    });
  });

  it('names every unknown SKU', () => {
    expect(
      priceOrder(
        [
          { sku: 'SKU-NOPE', quantity: 1 },
          { sku: 'SKU-RED-MUG', quantity: 1 },
          { sku: 'SKU-GONE', quantity: 1 },
        ],
        catalog,
      ),
    ).toEqual({
      ok: false,
      errors: [
        { field: 'items[0].sku', message: 'unknown SKU SKU-NOPE' },
        { field: 'items[2].sku', message: 'unknown SKU SKU-GONE' },
      ],
    });
  });

  it('refuses lines in different currencies', () => {
    const result = priceOrder(
      [
        { sku: 'SKU-RED-MUG', quantity: 1 },
        { sku: 'SKU-USD', quantity: 1 },
      ],
      catalog,
    );
    expect(result).toMatchObject({ ok: false, errors: [{ field: 'items' }] });
  });
});
