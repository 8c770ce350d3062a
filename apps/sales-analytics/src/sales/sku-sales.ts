/**
 * Stage 2 of the processor, keyed by SKU (the repartition topic's partitioning): a SKU's confirmed sales in
 * total and per minute, as whole figures. Pure: the store values and a delta in, the new values out.
 */
import { InvariantViolatedError } from '@orderstream/messaging';
import type { SkuDelta } from './confirmed-lines';

// Type aliases, not interfaces: store values must be plain JSON (StoreValue).
export type SkuTotals = {
  units: number;
  revenueCents: number;
  currency: string;
  orders: number;
  updatedAt: number;
};

export type SkuMinute = {
  units: number;
  revenueCents: number;
  currency: string;
};

/** The SKU's totals after a delta. A SKU is priced in one currency: a delta in another is a broken invariant. */
export function addToTotals(current: SkuTotals | undefined, delta: SkuDelta): SkuTotals {
  if (current && current.currency !== delta.currency) {
    throw new InvariantViolatedError(
      `${delta.sku} is sold in ${current.currency}, but order ${delta.orderId} priced it in ${delta.currency}`,
      { code: 'SKU_CURRENCY_MISMATCH' },
    );
  }
  return {
    units: (current?.units ?? 0) + delta.units,
    revenueCents: (current?.revenueCents ?? 0) + delta.revenueCents,
    currency: delta.currency,
    orders: (current?.orders ?? 0) + delta.orders,
    updatedAt: Math.max(current?.updatedAt ?? 0, delta.at),
  };
}

export function addToMinute(current: SkuMinute | undefined, delta: SkuDelta): SkuMinute {
  return {
    units: (current?.units ?? 0) + delta.units,
    revenueCents: (current?.revenueCents ?? 0) + delta.revenueCents,
    currency: delta.currency,
  };
}
