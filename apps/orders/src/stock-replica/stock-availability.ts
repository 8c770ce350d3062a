/**
 * Pure: which lines of an order the stock replica already knows cannot be served, checked before the order
 * is stored (a 422, no saga). Only what is certain from the replica's view: a SKU it does not hold (never
 * on sale, or withdrawn: its tombstone removed it) or one with no units available. A line asking for more
 * than the replica shows is let through: the replica may be stale, and the saga's reservation decides.
 */
import type { FieldError } from '../http/order-problems';

export interface ReplicatedLevel {
  available: number;
  version: number;
}

export function unavailableLines(
  items: readonly { sku: string }[],
  levels: ReadonlyMap<string, ReplicatedLevel>,
): FieldError[] {
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const level = levels.get(item.sku);
    if (!level) {
      errors.push({
        field: `items[${i}].sku`,
        message: `${item.sku} is not on sale (unknown to inventory or withdrawn)`,
      });
    } else if (level.available === 0) {
      errors.push({ field: `items[${i}].sku`, message: `${item.sku} is out of stock` });
    }
  });
  return errors;
}
