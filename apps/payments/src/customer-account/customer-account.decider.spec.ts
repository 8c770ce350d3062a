import { given } from '@orderstream/event-store';
import { InvariantViolatedError, NotFoundError, ValidationError } from '@orderstream/messaging';
import { customerAccount, type CustomerAccountEvent } from './customer-account.decider';

const opened = (creditLimitCents: number, reservedCents = 0): CustomerAccountEvent => ({
  type: 'AccountOpened',
  data: { customerId: 'customer-9', creditLimitCents, reservedCents },
});
const reserved = (orderId: string, amountCents: number): CustomerAccountEvent => ({
  type: 'CreditReserved',
  data: { orderId, amountCents },
});

describe('customer account', () => {
  it('reserves credit that fits the limit, to the cent', () => {
    const state = given(customerAccount, [opened(10_000, 2_000), reserved('o-1', 3_000)])
      .when({ type: 'ReserveCredit', orderId: 'o-2', amountCents: 5_000 })
      .then([reserved('o-2', 5_000)]);
    expect(state).toMatchObject({ creditLimitCents: 10_000, reservedCents: 10_000 });
  });

  it('declines what does not fit, saying what was available, and reserves nothing', () => {
    const state = given(customerAccount, [opened(10_000), reserved('o-1', 9_000)])
      .when({ type: 'ReserveCredit', orderId: 'o-2', amountCents: 1_001 })
      .then([
        { type: 'CreditDeclined', data: { orderId: 'o-2', amountCents: 1_001, availableCents: 1_000 } },
      ]);
    expect(state.reservedCents).toBe(9_000);
  });

  it('decides nothing for an account that does not exist (the payment is declined as unknown-customer)', () => {
    given(customerAccount, []).when({ type: 'ReserveCredit', orderId: 'o-1', amountCents: 1 }).then([]);
  });

  it('releases a reservation, and refuses to release more than is reserved or from no account', () => {
    const state = given(customerAccount, [opened(10_000), reserved('o-1', 4_000)])
      .when({
        type: 'ReleaseCredit',
        customerId: 'customer-9',
        orderId: 'o-1',
        amountCents: 4_000,
        reason: 'order-cancelled',
      })
      .then([
        { type: 'CreditReleased', data: { orderId: 'o-1', amountCents: 4_000, reason: 'order-cancelled' } },
      ]);
    expect(state.reservedCents).toBe(0);
    given(customerAccount, [opened(10_000), reserved('o-1', 4_000)])
      .when({
        type: 'ReleaseCredit',
        customerId: 'customer-9',
        orderId: 'o-1',
        amountCents: 4_001,
        reason: 'out-of-stock',
      })
      .thenThrows(InvariantViolatedError, /has only 4000 reserved/);
    given(customerAccount, [])
      .when({
        type: 'ReleaseCredit',
        customerId: 'customer-9',
        orderId: 'o-1',
        amountCents: 1,
        reason: 'out-of-stock',
      })
      .thenThrows(
        InvariantViolatedError,
        /Customer account customer-9 of authorized order o-1 does not exist/,
      );
  });

  it('opens once, with a limit and a carried-over reservation, and sets a limit not below what is reserved', () => {
    given(customerAccount, [])
      .when({ type: 'OpenAccount', customerId: 'customer-9', creditLimitCents: 500, reservedCents: 100 })
      .then([opened(500, 100)]);
    given(customerAccount, [opened(500)])
      .when({ type: 'OpenAccount', customerId: 'customer-9', creditLimitCents: 9 })
      .then([]);
    given(customerAccount, [opened(500, 100)])
      .when({ type: 'SetCreditLimit', creditLimitCents: 700 })
      .then([{ type: 'CreditLimitSet', data: { creditLimitCents: 700 } }]);
    given(customerAccount, [opened(500, 100)])
      .when({ type: 'SetCreditLimit', creditLimitCents: 500 })
      .then([]);
    given(customerAccount, [opened(500, 100)])
      .when({ type: 'SetCreditLimit', creditLimitCents: 99 })
      .thenThrows(ValidationError, /below the 100 already reserved/);
    given(customerAccount, [])
      .when({ type: 'SetCreditLimit', creditLimitCents: 1 })
      .thenThrows(NotFoundError);
    given(customerAccount, [])
      .when({ type: 'OpenAccount', customerId: 'customer-9', creditLimitCents: -1 })
      .thenThrows(ValidationError, /whole number of cents/);
  });
});
