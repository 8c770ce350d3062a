/**
 * The payment of one order as a state machine. Pure, so every transition rule is a unit test.
 *
 *   (none) --OrderPlaced--> AUTHORIZED --StockRejected / OrderCancelled--> REFUNDED
 *   (none) --OrderPlaced--> DECLINED
 *
 * It never moves backwards and never applies an event twice: the inbox drops a redelivered message (same
 * ce_id), and this machine refuses the same business fact arriving again under another ce_id (a duplicate
 * published upstream, a late compensation after an earlier one). A refused transition is logged and
 * counted by the caller, never thrown: no retry can make it legal, so retrying would only stall the
 * partition and end in a dead letter for what is, in a saga, a normal race.
 */
import type { PaymentDeclineReason, PaymentRefundReason } from '@orderstream/contracts';

export const PAYMENT_STATUSES = ['AUTHORIZED', 'DECLINED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What happened to the order that payments reacts to. */
export type PaymentCommand = { kind: 'authorize' } | { kind: 'refund'; reason: PaymentRefundReason };

export type PaymentTransition =
  | { kind: 'authorize' }
  | { kind: 'refund'; reason: PaymentRefundReason }
  | { kind: 'refused'; from: PaymentStatus | 'NONE'; command: PaymentCommand['kind'] };

/**
 * Decides what a command does to a payment in `status` (`undefined`: no payment for the order yet).
 * `authorize` still has two outcomes (authorized or declined); the customer's account decides between
 * them (customer-account.decider.ts), see `declineReason`.
 */
export function transition(status: PaymentStatus | undefined, command: PaymentCommand): PaymentTransition {
  if (command.kind === 'authorize') {
    // One payment per order: a second OrderPlaced, whatever its ce_id, changes nothing.
    return status === undefined
      ? { kind: 'authorize' }
      : { kind: 'refused', from: status, command: 'authorize' };
  }
  // Refund exactly once, and only what was authorized: a declined payment reserved nothing, and a refunded
  // one was given back already (e.g. StockRejected, then the OrderCancelled the orders service sends for it).
  return status === 'AUTHORIZED'
    ? { kind: 'refund', reason: command.reason }
    : { kind: 'refused', from: status ?? 'NONE', command: 'refund' };
}

/**
 * Why the credit reservation did not happen: either there is no account, or the account is there and
 * the amount does not fit.
 */
export function declineReason(accountExists: boolean): PaymentDeclineReason {
  return accountExists ? 'insufficient-credit' : 'unknown-customer';
}
