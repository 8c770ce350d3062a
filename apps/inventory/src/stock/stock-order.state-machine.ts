/**
 * What inventory holds for one order, as a state machine. Pure, so every rule is a unit test.
 *
 *   (none) --PaymentAuthorized--> RESERVED --OrderCancelled--> RELEASED
 *   (none) --PaymentAuthorized--> REJECTED            (a line was short; nothing held)
 *   (none) --OrderCancelled-----> CANCELLED           (cancelled before its payment got here)
 *
 * `PaymentAuthorized` (payments.events) and `OrderCancelled` (orders.events) travel on different topics,
 * so nothing orders them: a deadline cancellation can overtake the payment. CANCELLED remembers that, so
 * the late payment reserves nothing that nobody would ever release.
 *
 * Never backwards, never twice: the inbox drops redeliveries of one message; this machine refuses the
 * same fact under another ce_id. A refused transition is logged and counted by the caller, not thrown:
 * no retry could make it legal.
 */
export const STOCK_ORDER_STATUSES = ['RESERVED', 'REJECTED', 'RELEASED', 'CANCELLED'] as const;
export type StockOrderStatus = (typeof STOCK_ORDER_STATUSES)[number];

export type StockCommand = 'reserve' | 'release';

export type StockTransition =
  | { kind: 'reserve' }
  | { kind: 'release' }
  /** Cancelled before anything was reserved: remember it, release nothing, publish nothing. */
  | { kind: 'cancel-unreserved' }
  | { kind: 'refused'; from: StockOrderStatus | 'NONE'; command: StockCommand };

export function transition(status: StockOrderStatus | undefined, command: StockCommand): StockTransition {
  if (command === 'reserve') {
    return status === undefined ? { kind: 'reserve' } : { kind: 'refused', from: status, command };
  }
  if (status === undefined) return { kind: 'cancel-unreserved' };
  if (status === 'RESERVED') return { kind: 'release' };
  // REJECTED held nothing (the out-of-stock cancellation is expected here); RELEASED and CANCELLED are done.
  return { kind: 'refused', from: status, command };
}
