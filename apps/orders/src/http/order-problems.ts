/**
 * The problems (RFC 9457) the orders API answers with, beyond the platform's generic ones. The rule-breaking
 * ones are application errors of `@orderstream/messaging`, which the platform's ProblemDetailsFilter maps by
 * class (422, 404, 409) with a `type` from the code (`ORDER_NOT_FOUND` → `urn:orderstream:problem:order-not-found`)
 * and the details as extension members (`errors`, `orderId`, `orderStatus`). The use cases throw them and stay
 * free of HTTP; a request that breaks the route's schema is the platform's own 400 (`invalid-request`).
 *
 * The types are URNs: stable identifiers a client can switch on, not pages to fetch.
 */
import { IllegalTransitionError, NotFoundError, ValidationError } from '@orderstream/messaging';
import type { FieldError } from '@orderstream/platform';

export type { FieldError };

/** The codes of the orders problems; each gives the problem `type` `urn:orderstream:problem:<kebab-case code>`. */
const ORDER_PROBLEM_CODES = {
  unprocessableOrder: 'UNPROCESSABLE_ORDER',
  stockUnavailable: 'STOCK_UNAVAILABLE',
  idempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  orderNotFound: 'ORDER_NOT_FOUND',
  illegalTransition: 'ILLEGAL_TRANSITION',
} as const;

/** 422: well-formed, but breaks a business rule (an unknown or repeated SKU); nothing was written. */
export function unprocessableOrder(errors: readonly FieldError[]): ValidationError {
  return new ValidationError(describe(errors), {
    code: ORDER_PROBLEM_CODES.unprocessableOrder,
    details: { errors },
  });
}

/**
 * 422: the stock replica knows a SKU of the order is not on sale or has no units; no saga was started.
 * A separate code from `UNPROCESSABLE_ORDER`: a client may try again once stock is back.
 */
export function stockUnavailable(errors: readonly FieldError[]): ValidationError {
  return new ValidationError(describe(errors), {
    code: ORDER_PROBLEM_CODES.stockUnavailable,
    details: { errors },
  });
}

/** 422: the key was used before with another body (as the IETF Idempotency-Key draft answers). */
export function idempotencyKeyReused(): ValidationError {
  return new ValidationError(
    'This Idempotency-Key was already used with a different request body; use a new key for a new order.',
    {
      code: ORDER_PROBLEM_CODES.idempotencyKeyReused,
      details: {
        errors: [{ field: 'header:Idempotency-Key', message: 'already used with a different request' }],
      },
    },
  );
}

/** 404. */
export function orderNotFound(orderId: string): NotFoundError {
  return new NotFoundError(`No order ${orderId}`, {
    code: ORDER_PROBLEM_CODES.orderNotFound,
    details: { orderId },
  });
}

/** 409: the order's status does not allow the action (cancelling an order that is not CONFIRMED). */
export function illegalTransition(orderId: string, status: string, action: string): IllegalTransitionError {
  return new IllegalTransitionError(
    `Order ${orderId} is ${status}; ${action} is not possible in that state`,
    {
      code: ORDER_PROBLEM_CODES.illegalTransition,
      details: { orderId, orderStatus: status },
    },
  );
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
