/**
 * The problems (RFC 9457) the orders API answers with, beyond the platform's generic ones. Each is an
 * HttpException whose body the platform's ProblemDetailsFilter renders as application/problem+json: `type`,
 * `title` and `detail` as given, every other member (`errors`, `orderId`, `status`) as an extension member.
 *
 * The types are URNs: stable identifiers a client can switch on, not pages to fetch.
 */
import { HttpException, HttpStatus } from '@nestjs/common';

export const PROBLEM_TYPES = {
  invalidRequest: 'urn:orderstream:problem:invalid-request',
  unprocessableOrder: 'urn:orderstream:problem:unprocessable-order',
  idempotencyKeyReused: 'urn:orderstream:problem:idempotency-key-reused',
  orderNotFound: 'urn:orderstream:problem:order-not-found',
  illegalTransition: 'urn:orderstream:problem:illegal-transition',
} as const;

/** One invalid member of a request: where (`items[1].quantity`, `header:Idempotency-Key`) and why. */
export interface FieldError {
  field: string;
  message: string;
}

/** 400: the request is malformed (wrong types, missing members or headers); nothing was written. */
export function invalidRequest(errors: readonly FieldError[]): HttpException {
  return new HttpException(
    {
      type: PROBLEM_TYPES.invalidRequest,
      title: 'Invalid request',
      detail: describe(errors),
      errors,
    },
    HttpStatus.BAD_REQUEST,
  );
}

/** 422: well-formed, but breaks a business rule (unknown SKU, quantity out of range); nothing was written. */
export function unprocessableOrder(errors: readonly FieldError[]): HttpException {
  return new HttpException(
    {
      type: PROBLEM_TYPES.unprocessableOrder,
      title: 'Order cannot be accepted',
      detail: describe(errors),
      errors,
    },
    HttpStatus.UNPROCESSABLE_ENTITY,
  );
}

export function idempotencyKeyReused(): HttpException {
  return new HttpException(
    {
      type: PROBLEM_TYPES.idempotencyKeyReused,
      title: 'Idempotency key reused',
      detail:
        'This Idempotency-Key was already used with a different request body; use a new key for a new order.',
      errors: [{ field: 'header:Idempotency-Key', message: 'already used with a different request' }],
    },
    HttpStatus.UNPROCESSABLE_ENTITY,
  );
}

export function orderNotFound(orderId: string): HttpException {
  return new HttpException(
    { type: PROBLEM_TYPES.orderNotFound, title: 'Order not found', detail: `No order ${orderId}`, orderId },
    HttpStatus.NOT_FOUND,
  );
}

export function illegalTransition(orderId: string, status: string, action: string): HttpException {
  return new HttpException(
    {
      type: PROBLEM_TYPES.illegalTransition,
      title: 'Order is not in a state that allows this',
      detail: `Order ${orderId} is ${status}; ${action} is not possible in that state`,
      orderId,
      orderStatus: status,
    },
    HttpStatus.CONFLICT,
  );
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
