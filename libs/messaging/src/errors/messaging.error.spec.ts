import { DeferredDelivery } from '../core/deferred';
import {
  DecodeError,
  errorCode,
  HandlerError,
  isRetriable,
  NonRetriableError,
  SchemaError,
  TransportError,
} from './messaging.error';

describe('error classification', () => {
  it('takes a MessagingError at its word', () => {
    expect(isRetriable(new DecodeError('x'))).toBe(false);
    expect(isRetriable(new SchemaError('x'))).toBe(false);
    expect(isRetriable(new NonRetriableError('x'))).toBe(false);
    expect(isRetriable(new TransportError('x'))).toBe(true);
    expect(isRetriable(new HandlerError('x'))).toBe(true);
    expect(isRetriable(new DeferredDelivery(0))).toBe(true);
  });

  it('honours a boolean retriable on foreign errors and defaults everything else to retriable', () => {
    expect(isRetriable(Object.assign(new Error('kafkajs'), { retriable: false }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true }))).toBe(true);
    expect(isRetriable(new TypeError('bug'))).toBe(true);
    expect(isRetriable('a string')).toBe(true);
    expect(isRetriable(undefined)).toBe(true);
  });

  it('gives every failure a stable code', () => {
    expect(errorCode(new DecodeError('x'))).toBe('MESSAGING_DECODE');
    expect(errorCode(new HandlerError('x'))).toBe('HANDLER_FAILED');
    expect(errorCode(new NonRetriableError('x'))).toBe('HANDLER_NON_RETRIABLE');
    expect(errorCode(new HandlerError('x', { code: 'GATEWAY_DOWN' }))).toBe('GATEWAY_DOWN');
    expect(errorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorCode(new Error('plain'))).toBe('UNCLASSIFIED');
    expect(errorCode(null)).toBe('UNCLASSIFIED');
  });

  it('names errors after their class and keeps the cause', () => {
    const cause = new Error('root');
    const error = new NonRetriableError('no', { cause, code: 'ORDER_UNKNOWN' });
    expect(error.name).toBe('NonRetriableError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });
});
