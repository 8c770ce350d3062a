import {
  ConflictError,
  IllegalStateError,
  IllegalTransitionError,
  InvariantViolatedError,
  NonRetriableError,
  NotFoundError,
  ValidationError,
} from '@orderstream/messaging';
import { problemDetailsFor, problemTypeFor } from './problem-details';

describe('problemDetailsFor an application error', () => {
  it.each([
    [new ValidationError('quantity must be at most 100'), 422, 'Validation failed', 'validation-failed'],
    [new NotFoundError('No order 42'), 404, 'Not found', 'not-found'],
    [new IllegalStateError('Order 42 is closed'), 409, 'Illegal state', 'illegal-state'],
    [new IllegalTransitionError('CANCELLED cannot move on'), 409, 'Illegal transition', 'illegal-transition'],
    [new ConflictError('SKU-1 exists'), 409, 'Conflict', 'conflict'],
  ])('maps %p to %i with its title and a type from its code', (error, status, title, type) => {
    expect(problemDetailsFor(error, { instance: '/orders/42', requestId: 'r-1' })).toEqual({
      type: `urn:orderstream:problem:${type}`,
      title,
      status,
      detail: error.message,
      instance: '/orders/42',
      requestId: 'r-1',
    });
  });

  it('takes the type from a refined code and the details as extension members, never over its own', () => {
    const error = new IllegalTransitionError('Order 42 is CANCELLED; cancellation is not possible', {
      code: 'ORDER_ILLEGAL_TRANSITION',
      details: { orderId: '42', orderStatus: 'CANCELLED', status: 200, type: 'about:blank' },
    });

    expect(problemDetailsFor(error, { instance: '/orders/42/cancel' })).toEqual({
      type: 'urn:orderstream:problem:order-illegal-transition',
      title: 'Illegal transition',
      status: 409,
      detail: 'Order 42 is CANCELLED; cancellation is not possible',
      orderId: '42',
      orderStatus: 'CANCELLED',
      instance: '/orders/42/cancel',
    });
  });

  it.each([
    new InvariantViolatedError('Customer account c-1 of authorized order 42 does not exist', {
      details: { customerId: 'c-1' },
    }),
    new NonRetriableError('the gateway refused the card for good'),
  ])('answers %p with a 500 that shows nothing of it', (error) => {
    const problem = problemDetailsFor(error);

    expect(problem).toEqual({
      type: 'urn:orderstream:problem:internal-server-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server failed to handle the request. Quote the request id when reporting it.',
    });
  });

  it('derives problem types from codes', () => {
    expect(problemTypeFor('ORDER_NOT_FOUND')).toBe('urn:orderstream:problem:order-not-found');
    expect(problemTypeFor('IDEMPOTENCY_KEY_REUSED')).toBe('urn:orderstream:problem:idempotency-key-reused');
  });
});
