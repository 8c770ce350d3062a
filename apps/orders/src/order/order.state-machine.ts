/**
 * The order's state machine, as pure data and functions: which trigger moves an order from which status to
 * which. Every status change of the service goes through `nextStatus`, so a duplicate, late or out-of-order
 * event can never move an order backwards or apply twice: from a terminal status nothing is legal, and a
 * trigger that already happened (StockReserved twice) finds the order no longer in the status it needs.
 *
 * ```
 *            stock-reserved            customer-cancelled
 * PENDING ──────────────────▶ CONFIRMED ──────────────────▶ CANCELLED
 *    │  payment-declined                                       ▲
 *    ├──────────────────▶ REJECTED                             │
 *    │  stock-rejected, deadline-passed                        │
 *    └─────────────────────────────────────────────────────────┘
 * ```
 */
import type { OrderCancellationReason } from '@orderstream/contracts';
import type { OrderStatus } from '../database';

export const ORDER_TRIGGERS = [
  'stock-reserved',
  'payment-declined',
  'stock-rejected',
  'deadline-passed',
  'customer-cancelled',
] as const;
export type OrderTrigger = (typeof ORDER_TRIGGERS)[number];

/** The legal transitions: trigger → (from → to). Anything not listed is illegal. */
const TRANSITIONS: Readonly<Record<OrderTrigger, Partial<Record<OrderStatus, OrderStatus>>>> = {
  'stock-reserved': { PENDING: 'CONFIRMED' },
  'payment-declined': { PENDING: 'REJECTED' },
  'stock-rejected': { PENDING: 'CANCELLED' },
  'deadline-passed': { PENDING: 'CANCELLED' },
  // Only a confirmed order can be cancelled by its customer: a pending one is still in the saga's hands
  // (its deadline cancels it if the saga stalls).
  'customer-cancelled': { CONFIRMED: 'CANCELLED' },
};

/** Why an order is cancelled, for the triggers that cancel it (the `reason` of OrderCancelled). */
export const CANCELLATION_REASON: Readonly<Partial<Record<OrderTrigger, OrderCancellationReason>>> = {
  'stock-rejected': 'out-of-stock',
  'deadline-passed': 'deadline',
  'customer-cancelled': 'customer',
};

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['REJECTED', 'CANCELLED'];

/** The status `trigger` moves an order in status `from` to, or undefined when the transition is illegal. */
export function nextStatus(from: OrderStatus, trigger: OrderTrigger): OrderStatus | undefined {
  return TRANSITIONS[trigger][from];
}

/** Whether `trigger` can ever apply to an order in status `from` (e.g. for a 409 before any write). */
export function canApply(from: OrderStatus, trigger: OrderTrigger): boolean {
  return nextStatus(from, trigger) !== undefined;
}
