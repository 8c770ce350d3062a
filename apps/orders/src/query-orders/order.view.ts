/** The JSON representation of an order in every response of the API (and in replayed idempotent ones). */
import type { OrderStatus } from '../database';

export interface OrderLineView {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface StatusChangeView {
  status: OrderStatus;
  /** Why, for REJECTED and CANCELLED (`insufficient-credit`, `deadline`, …); null otherwise. */
  reason: string | null;
  /** RFC 3339. */
  at: string;
}

export interface OrderView {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLineView[];
  totalCents: number;
  currency: string;
  /** RFC 3339. */
  placedAt: string;
  /** Oldest first; the first entry is always PENDING. */
  history: StatusChangeView[];
}
