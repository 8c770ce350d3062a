/**
 * The application error hierarchy: what a use case throws when no retry can fix the failure. Each class
 * has a stable default `code` and `retriable: false`; the base, `ApplicationError`, is what the failure
 * layers (dead letter on the first attempt, `x-dlt-error-code` = the code, `x-dlt-error-class` = the class)
 * and the platform's problem+json mapping recognise. Throw the class that says what went wrong, so both
 * mappings pick the right answer without a table per service:
 *
 * | class                    | code                 | HTTP | when                                               |
 * | ------------------------ | -------------------- | ---- | -------------------------------------------------- |
 * | `ValidationError`        | `VALIDATION_FAILED`  | 422  | the input is well-formed but breaks a rule         |
 * | `NotFoundError`          | `NOT_FOUND`          | 404  | it names something that does not exist             |
 * | `IllegalStateError`      | `ILLEGAL_STATE`      | 409  | the aggregate's state does not allow the operation |
 * | `IllegalTransitionError` | `ILLEGAL_TRANSITION` | 409  | … a state machine refuses the transition           |
 * | `ConflictError`          | `CONFLICT`           | 409  | it collides with what exists (a duplicate)         |
 * | `InvariantViolatedError` | `INVARIANT_VIOLATED` | 500  | a rule the code relies on is broken: bad data, bug |
 *
 * A malformed request (wrong JSON types, a missing header) is the HTTP layer's 400, not a ValidationError.
 */
import { ApplicationError, type ApplicationErrorOptions } from './messaging.error';

/** Well-formed input that breaks a rule (an unknown SKU, a quantity out of range, a reused key). */
export class ValidationError extends ApplicationError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, 'VALIDATION_FAILED', options);
  }
}

/** The input names something that does not exist, and retrying will not make it appear. */
export class NotFoundError extends ApplicationError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, 'NOT_FOUND', options);
  }
}

/** The aggregate exists, but its current state does not allow the operation. */
export class IllegalStateError extends ApplicationError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, 'ILLEGAL_STATE', options);
  }
}

/** A state machine refused a transition from the aggregate's current state. */
export class IllegalTransitionError extends IllegalStateError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, { ...options, code: options?.code ?? 'ILLEGAL_TRANSITION' });
  }
}

/**
 * The operation collides with what exists (a second account for one customer, a SKU that is taken) and
 * will on every attempt. A race that a retry resolves (a concurrent insert of the same new row, after
 * which the retry sees the row and decides differently) is not one: throw a retriable `HandlerError`.
 */
export class ConflictError extends ApplicationError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, 'CONFLICT', options);
  }
}

/**
 * Something the code relies on does not hold (an authorized payment without its account, a transition
 * without its reason): bad data or a bug. No retry fixes it; it needs a person, so the message is
 * dead-lettered with the facts in `details`, and an HTTP request gets a 500 that hides them.
 */
export class InvariantViolatedError extends ApplicationError {
  constructor(message: string, options?: ApplicationErrorOptions) {
    super(message, 'INVARIANT_VIOLATED', options);
  }
}
