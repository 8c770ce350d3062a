/**
 * Pure: whether an order's lines fit the stock, all or nothing. The caller has locked the SKUs' rows, so
 * the quantities it passes cannot change until it commits.
 */
import type { StockLine } from '@orderstream/contracts';

export type ReservationPlan =
  | { kind: 'reserve'; lines: StockLine[] }
  | { kind: 'reject'; sku: string; requested: number; available: number };

/**
 * One line per SKU, quantities summed, in the order the SKUs first appear. An order may list a SKU twice;
 * a reservation is one row per (order, SKU), and checking the lines separately could pass each while the
 * sum is short.
 */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of lines) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * `available` holds the locked stock by SKU; a SKU missing from it is unknown here and has 0 units. The
 * first short SKU, in the order's own line order, is the one a rejection names.
 */
export function planReservation(
  lines: readonly StockLine[],
  available: ReadonlyMap<string, number>,
): ReservationPlan {
  const merged = mergeLines(lines);
  for (const { sku, quantity } of merged) {
    const units = available.get(sku) ?? 0;
    if (quantity > units) return { kind: 'reject', sku, requested: quantity, available: units };
  }
  return { kind: 'reserve', lines: merged };
}
