import { BadRequestException } from '@nestjs/common';
import { problemTypeFor } from './problem-details';

/**
 * One invalid member of a request: where, and why. `field` names the body member as a path
 * (`items[1].quantity`, `(body)` for the body itself) and the other parts with their location
 * (`path:id`, `query:customerId`, `header:Idempotency-Key`).
 */
export interface FieldError {
  field: string;
  message: string;
}

/** The problem type of a request that breaks its route's documented schema. */
export const INVALID_REQUEST_TYPE = problemTypeFor('INVALID_REQUEST');

/**
 * 400: the request is not what the route's document describes (a wrong type, a missing or unknown member,
 * a value outside its documented bounds or pattern). Nothing was done. Rules the document cannot state
 * (an unknown SKU, a reused Idempotency-Key) are a use case's 422, not this.
 */
export function invalidRequest(errors: readonly FieldError[]): BadRequestException {
  return new BadRequestException({
    type: INVALID_REQUEST_TYPE,
    title: 'Invalid request',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}
