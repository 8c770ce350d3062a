/**
 * A customer's credit account, event-sourced: its stream (`CustomerAccount-<customerId>`) is the source of
 * truth, and the `customer_accounts` table is a projection of it (see customer-accounts.ts).
 *
 * The state is the limit and the total reserved, nothing per order: which order holds how much is the
 * payment's business (the `payments` table and its state machine), so the state and its snapshots stay
 * small however long the stream gets.
 */
import type { Decider, SnapshotPolicy } from '@orderstream/event-store';
import { InvariantViolatedError, NotFoundError, ValidationError } from '@orderstream/messaging';
import type { PaymentRefundReason } from '@orderstream/contracts';

export const CUSTOMER_ACCOUNT_STREAM = 'CustomerAccount';

export const customerAccountStream = (customerId: string): string =>
  `${CUSTOMER_ACCOUNT_STREAM}-${customerId}`;

export type CustomerAccountEvent =
  /**
   * The account exists from here. `reservedCents` is what was already reserved when it was opened: 0 for a
   * new account, the balance carried over for one imported from the table of before event sourcing.
   */
  | { type: 'AccountOpened'; data: { customerId: string; creditLimitCents: number; reservedCents: number } }
  | { type: 'CreditLimitSet'; data: { creditLimitCents: number } }
  | { type: 'CreditReserved'; data: { orderId: string; amountCents: number } }
  | { type: 'CreditDeclined'; data: { orderId: string; amountCents: number; availableCents: number } }
  | { type: 'CreditReleased'; data: { orderId: string; amountCents: number; reason: PaymentRefundReason } };

export type CustomerAccountCommand =
  | { type: 'OpenAccount'; customerId: string; creditLimitCents: number; reservedCents?: number }
  | { type: 'SetCreditLimit'; creditLimitCents: number }
  | { type: 'ReserveCredit'; orderId: string; amountCents: number }
  | {
      type: 'ReleaseCredit';
      customerId: string;
      orderId: string;
      amountCents: number;
      reason: PaymentRefundReason;
    };

export interface CustomerAccountState {
  open: boolean;
  customerId: string;
  creditLimitCents: number;
  reservedCents: number;
}

export const customerAccount: Decider<CustomerAccountCommand, CustomerAccountEvent, CustomerAccountState> = {
  initialState: () => ({ open: false, customerId: '', creditLimitCents: 0, reservedCents: 0 }),

  decide(command, state) {
    switch (command.type) {
      case 'OpenAccount':
        // Opening an open account changes nothing: opening is what importing does, and it may race.
        if (state.open) return [];
        return [
          {
            type: 'AccountOpened',
            data: {
              customerId: command.customerId,
              creditLimitCents: nonNegative(command.creditLimitCents, 'creditLimitCents'),
              reservedCents: nonNegative(command.reservedCents ?? 0, 'reservedCents'),
            },
          },
        ];
      case 'SetCreditLimit': {
        if (!state.open)
          throw new NotFoundError('The customer account does not exist', { code: 'CUSTOMER_NOT_FOUND' });
        const creditLimitCents = nonNegative(command.creditLimitCents, 'creditLimitCents');
        if (creditLimitCents < state.reservedCents) {
          throw new ValidationError(
            `A credit limit of ${creditLimitCents} is below the ${state.reservedCents} already reserved`,
            {
              code: 'CREDIT_LIMIT_BELOW_RESERVED',
              details: { creditLimitCents, reservedCents: state.reservedCents },
            },
          );
        }
        return creditLimitCents === state.creditLimitCents
          ? []
          : [{ type: 'CreditLimitSet', data: { creditLimitCents } }];
      }
      case 'ReserveCredit': {
        // An unknown customer: nothing happens to any account; the caller declines the payment.
        if (!state.open) return [];
        const availableCents = state.creditLimitCents - state.reservedCents;
        const { orderId, amountCents } = command;
        return amountCents <= availableCents
          ? [{ type: 'CreditReserved', data: { orderId, amountCents } }]
          : [{ type: 'CreditDeclined', data: { orderId, amountCents, availableCents } }];
      }
      case 'ReleaseCredit': {
        if (!state.open) {
          // An authorized payment whose account does not exist: a data bug no retry fixes.
          throw new InvariantViolatedError(
            `Customer account ${command.customerId} of authorized order ${command.orderId} does not exist`,
            { details: { orderId: command.orderId, customerId: command.customerId } },
          );
        }
        if (command.amountCents > state.reservedCents) {
          throw new InvariantViolatedError(
            `Releasing ${command.amountCents} of order ${command.orderId} from account ${state.customerId}, which has only ${state.reservedCents} reserved`,
            { details: { orderId: command.orderId, customerId: state.customerId } },
          );
        }
        const { orderId, amountCents, reason } = command;
        return [{ type: 'CreditReleased', data: { orderId, amountCents, reason } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened':
        return { open: true, ...event.data };
      case 'CreditLimitSet':
        return { ...state, creditLimitCents: event.data.creditLimitCents };
      case 'CreditReserved':
        return { ...state, reservedCents: state.reservedCents + event.data.amountCents };
      case 'CreditDeclined':
        return state;
      case 'CreditReleased':
        return { ...state, reservedCents: state.reservedCents - event.data.amountCents };
    }
  },
};

/**
 * Snapshots every 20 events: a load then reads the snapshot and at most 19 events, and a snapshot is four
 * plain fields, written as they are.
 */
export const customerAccountSnapshots: SnapshotPolicy<CustomerAccountState> = {
  every: 20,
  schemaVersion: 1,
};

function nonNegative(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${what} must be a whole number of cents from 0, got ${value}`, {
      code: 'INVALID_AMOUNT',
      details: { [what]: value },
    });
  }
  return value;
}
