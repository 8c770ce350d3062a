/**
 * A small credit account in the decide/evolve style, for the event store's own tests: opened with a
 * limit, credit reserved per order up to the limit, reservations released.
 */
import type { Decider } from '../core/decider';

export type AccountCommand =
  | { type: 'Open'; limit: number }
  | { type: 'Reserve'; orderId: string; amount: number }
  | { type: 'Release'; orderId: string };

export type AccountEvent =
  | { type: 'AccountOpened'; data: { limit: number } }
  | { type: 'CreditReserved'; data: { orderId: string; amount: number } }
  | { type: 'CreditDeclined'; data: { orderId: string; amount: number; available: number } }
  | { type: 'CreditReleased'; data: { orderId: string; amount: number } };

export interface AccountState {
  open: boolean;
  limit: number;
  reserved: number;
  /** Reserved amount per order. */
  orders: Record<string, number>;
}

export class AccountNotOpenError extends Error {}

export const creditAccount: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: () => ({ open: false, limit: 0, reserved: 0, orders: {} }),
  decide(command, state) {
    if (command.type === 'Open')
      return state.open ? [] : [{ type: 'AccountOpened', data: { limit: command.limit } }];
    if (!state.open) throw new AccountNotOpenError('the account is not open');
    if (command.type === 'Reserve') {
      if (command.orderId in state.orders) return [];
      const available = state.limit - state.reserved;
      return command.amount <= available
        ? [{ type: 'CreditReserved', data: { orderId: command.orderId, amount: command.amount } }]
        : [{ type: 'CreditDeclined', data: { orderId: command.orderId, amount: command.amount, available } }];
    }
    const amount = state.orders[command.orderId];
    return amount === undefined
      ? []
      : [{ type: 'CreditReleased', data: { orderId: command.orderId, amount } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened':
        return { ...state, open: true, limit: event.data.limit };
      case 'CreditReserved':
        return {
          ...state,
          reserved: state.reserved + event.data.amount,
          orders: { ...state.orders, [event.data.orderId]: event.data.amount },
        };
      case 'CreditDeclined':
        return state;
      case 'CreditReleased': {
        const { [event.data.orderId]: _released, ...orders } = state.orders;
        return { ...state, reserved: state.reserved - event.data.amount, orders };
      }
    }
  },
};
