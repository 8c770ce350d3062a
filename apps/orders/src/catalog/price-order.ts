/**
 * Prices an order's lines from the catalog: pure, so the arithmetic and the unknown-SKU rule are unit
 * tested. Money is integer minor units (cents) throughout; no floating point.
 */
import type { OrderLine } from '@orderstream/contracts';
import type { FieldError } from '../http/order-problems';

export interface CatalogPrice {
  unitPriceCents: number;
  currency: string;
}

export interface PricedOrder {
  lines: OrderLine[];
  totalCents: number;
  currency: string;
}

export type PricingResult = { ok: true; order: PricedOrder } | { ok: false; errors: FieldError[] };

export function priceOrder(
  items: readonly { sku: string; quantity: number }[],
  catalog: ReadonlyMap<string, CatalogPrice>,
): PricingResult {
  const errors: FieldError[] = [];
  const lines: OrderLine[] = [];
  const currencies = new Set<string>();
  items.forEach((item, i) => {
    const price = catalog.get(item.sku);
    if (!price) {
      errors.push({ field: `items[${i}].sku`, message: `unknown SKU ${item.sku}` });
      return;
    }
    currencies.add(price.currency);
    lines.push({ sku: item.sku, quantity: item.quantity, unitPriceCents: price.unitPriceCents });
  });
  if (errors.length > 0) return { ok: false, errors };
  const [currency, ...others] = [...currencies];
  if (currency === undefined || others.length > 0) {
    // One order, one currency: the event carries a single `currency` for its total.
    return {
      ok: false,
      errors: [
        {
          field: 'items',
          message: `lines are priced in different currencies (${[...currencies].join(', ')})`,
        },
      ],
    };
  }
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { ok: true, order: { lines, totalCents, currency } };
}
