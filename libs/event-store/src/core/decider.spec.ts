import { AccountNotOpenError, creditAccount, type AccountEvent } from '../test/credit-account';
import { fold, snapshotDue, stateFromSnapshot, type SnapshotPolicy } from './decider';
import { expectedVersionNumber } from './stream';
import { given } from './testing';
import type { AccountState } from '../test/credit-account';

const opened: AccountEvent = { type: 'AccountOpened', data: { limit: 100 } };
const reserved = (orderId: string, amount: number): AccountEvent => ({
  type: 'CreditReserved',
  data: { orderId, amount },
});

describe('given/when/then', () => {
  it('asserts the events a command produces and returns the state after them', () => {
    const state = given(creditAccount, [opened, reserved('o-1', 60)])
      .when({ type: 'Reserve', orderId: 'o-2', amount: 40 })
      .then([reserved('o-2', 40)]);
    expect(state.reserved).toBe(100);
  });

  it('fails when the events differ', () => {
    expect(() =>
      given(creditAccount, [opened, reserved('o-1', 60)])
        .when({ type: 'Reserve', orderId: 'o-2', amount: 50 })
        .then([reserved('o-2', 50)]),
    ).toThrow(/Expected values to be strictly deep-equal/);
  });

  it('asserts a refusal by its class and message', () => {
    const error = given(creditAccount, [])
      .when({ type: 'Release', orderId: 'o-1' })
      .thenThrows(AccountNotOpenError, /not open/);
    expect(error).toBeInstanceOf(AccountNotOpenError);
    expect(() =>
      given(creditAccount, [opened])
        .when({ type: 'Release', orderId: 'o-1' })
        .thenThrows(AccountNotOpenError),
    ).toThrow(/expected AccountNotOpenError, but the command produced \[\]/);
  });
});

describe('fold', () => {
  it('replays events from the initial state, or from a given one', () => {
    const half = fold(creditAccount, [opened, reserved('o-1', 10)]);
    expect(fold(creditAccount, [reserved('o-2', 5)], half)).toEqual(
      fold(creditAccount, [opened, reserved('o-1', 10), reserved('o-2', 5)]),
    );
  });
});

describe('snapshots', () => {
  it('are due when an append reaches or crosses a multiple of the interval', () => {
    expect(snapshotDue(0, 1, 3)).toBe(false);
    expect(snapshotDue(2, 3, 3)).toBe(true);
    expect(snapshotDue(2, 7, 3)).toBe(true);
    expect(snapshotDue(3, 5, 3)).toBe(false);
    expect(() => snapshotDue(0, 1, 0)).toThrow(RangeError);
  });

  it('are read in their own schema version, upcast from another, or ignored', () => {
    const policy: SnapshotPolicy<AccountState> = {
      every: 10,
      schemaVersion: 2,
      upcast: (json, version) =>
        version === 1 ? { ...(json as Omit<AccountState, 'orders'>), orders: {} } : undefined,
    };
    const current = { open: true, limit: 5, reserved: 1, orders: { a: 1 } };
    expect(stateFromSnapshot(policy, current, 2)).toBe(current);
    expect(stateFromSnapshot(policy, { open: true, limit: 5, reserved: 0 }, 1)).toEqual({
      open: true,
      limit: 5,
      reserved: 0,
      orders: {},
    });
    expect(stateFromSnapshot(policy, current, 3)).toBeUndefined();
    expect(stateFromSnapshot({ every: 10, schemaVersion: 2 }, current, 1)).toBeUndefined();
  });
});

describe('expected versions', () => {
  it('are a whole number from 0, no-stream (0) or any', () => {
    expect(expectedVersionNumber(4)).toBe(4);
    expect(expectedVersionNumber('no-stream')).toBe(0);
    expect(expectedVersionNumber('any')).toBeUndefined();
    expect(() => expectedVersionNumber(-1)).toThrow(RangeError);
    expect(() => expectedVersionNumber(1.5)).toThrow(RangeError);
  });
});
