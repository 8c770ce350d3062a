/**
 * What the demo scenario orders, decided up front and deterministically (no randomness: the same `--orders`
 * gives the same orders, so two runs differ only in what the stack remembers). Each order is built to take
 * one path through the saga on a fresh stack, using the seeded data:
 *
 * - confirm:             customer-1 or customer-2 (credit 10 000 / 5 000 EUR) buy cheap in-stock items;
 * - confirm-then-cancel: the same, then the customer cancels the confirmed order (release + refund);
 * - insufficient-credit: customer-5 (no credit) or customer-4 (50 EUR) buying 75 EUR of T-shirts;
 * - unknown-customer:    a customer payments has never heard of;
 * - limited-stock:       one unit of SKU-LIMITED (10 in stock): the first ten confirm; of the rest, those
 *                        placed before orders' stock replica saw it sold out are rejected by inventory
 *                        and refunded by payments, the later ones refused at once (422, no saga).
 *
 * The path is an intention, not a promise: the stack keeps its data between runs, so credit stays reserved
 * by confirmed orders and SKU-LIMITED stays sold out. The summary reports what actually happened.
 */

export type PlannedPath =
  'confirm' | 'confirm-then-cancel' | 'insufficient-credit' | 'unknown-customer' | 'limited-stock';

export interface PlannedLine {
  sku: string;
  quantity: number;
}

export interface PlannedOrder {
  /** 0-based position in the plan; also part of the Idempotency-Key. */
  index: number;
  path: PlannedPath;
  customerId: string;
  items: PlannedLine[];
  /** Cancel with `POST /orders/{id}/cancel` once the order is CONFIRMED. */
  cancelWhenConfirmed: boolean;
}

export const UNKNOWN_CUSTOMER = 'customer-unknown';
export const LIMITED_SKU = 'SKU-LIMITED';

/**
 * One cycle of 20 orders: 13 confirm, 2 confirm-then-cancel, 2 insufficient-credit, 1 unknown-customer and
 * 2 limited-stock, interleaved so that every outcome is in flight at the same time as the others.
 */
const CYCLE: readonly PlannedPath[] = [
  'confirm',
  'confirm',
  'confirm',
  'confirm-then-cancel',
  'confirm',
  'insufficient-credit',
  'confirm',
  'confirm',
  'limited-stock',
  'confirm',
  'confirm',
  'confirm-then-cancel',
  'confirm',
  'unknown-customer',
  'confirm',
  'insufficient-credit',
  'confirm',
  'confirm',
  'limited-stock',
  'confirm',
];

/**
 * The everyday baskets, cheapest stock first in mind: mugs (1000 units each) twice as often as T-shirts
 * (500) and posters (200), so a stack survives several runs before the everyday items run out too.
 */
const BASKETS: readonly (readonly PlannedLine[])[] = [
  [{ sku: 'SKU-RED-MUG', quantity: 1 }],
  [{ sku: 'SKU-BLUE-MUG', quantity: 1 }],
  [{ sku: 'SKU-TEE-M', quantity: 1 }],
  [
    { sku: 'SKU-RED-MUG', quantity: 1 },
    { sku: 'SKU-BLUE-MUG', quantity: 1 },
  ],
  [{ sku: 'SKU-TEE-L', quantity: 1 }],
  [{ sku: 'SKU-POSTER', quantity: 1 }],
];

export function planScenario(count: number): PlannedOrder[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be >= 0, got ${count}`);
  const plan: PlannedOrder[] = [];
  // Separate counters per path, so the rotation of customers and baskets does not depend on the cycle.
  let everyday = 0;
  let lowCredit = 0;
  for (let index = 0; index < count; index++) {
    const path = CYCLE[index % CYCLE.length] ?? 'confirm';
    switch (path) {
      case 'confirm':
      case 'confirm-then-cancel': {
        const basket = BASKETS[everyday % BASKETS.length] ?? [];
        // Two of three to customer-1, who has twice customer-2's credit.
        const customerId = everyday % 3 === 2 ? 'customer-2' : 'customer-1';
        everyday++;
        plan.push({
          index,
          path,
          customerId,
          items: basket.map((line) => ({ ...line })),
          cancelWhenConfirmed: path === 'confirm-then-cancel',
        });
        break;
      }
      case 'insufficient-credit':
        plan.push({
          index,
          path,
          ...(lowCredit++ % 2 === 0
            ? { customerId: 'customer-5', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] }
            : { customerId: 'customer-4', items: [{ sku: 'SKU-TEE-L', quantity: 3 }] }),
          cancelWhenConfirmed: false,
        });
        break;
      case 'unknown-customer':
        plan.push({
          index,
          path,
          customerId: UNKNOWN_CUSTOMER,
          items: [{ sku: 'SKU-POSTER', quantity: 1 }],
          cancelWhenConfirmed: false,
        });
        break;
      case 'limited-stock':
        plan.push({
          index,
          path,
          customerId: 'customer-2',
          items: [{ sku: LIMITED_SKU, quantity: 1 }],
          cancelWhenConfirmed: false,
        });
        break;
    }
  }
  return plan;
}

/** How many orders of each path a plan holds (for the summary's "planned" column). */
export function countByPath(plan: readonly PlannedOrder[]): Record<PlannedPath, number> {
  const counts: Record<PlannedPath, number> = {
    confirm: 0,
    'confirm-then-cancel': 0,
    'insufficient-credit': 0,
    'unknown-customer': 0,
    'limited-stock': 0,
  };
  for (const order of plan) counts[order.path]++;
  return counts;
}
