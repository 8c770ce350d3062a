import { DeferredDelivery } from '../core/deferred';
import type { HandlerContext, InboundMessage } from '../core/handler';
import { HandlerError, NonRetriableError } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import { immediateRetryMiddleware } from './immediate-retry.middleware';

const message: InboundMessage = {
  record: {
    topic: 't',
    partition: 0,
    offset: '0',
    key: null,
    value: null,
    headers: {},
    timestamp: '0',
  },
  groupId: 'g',
  attempt: 1,
};
const context: HandlerContext = { message, logger: silentLogger };

/** A handler that throws the given errors in turn, then succeeds; counts its calls. */
function flaky(...errors: unknown[]) {
  const handler = async () => {
    handler.calls += 1;
    if (handler.calls <= errors.length) throw errors[handler.calls - 1];
  };
  handler.calls = 0;
  return handler;
}

const retry = (attempts: number) => immediateRetryMiddleware({ attempts, backoffMs: 0 });

describe('immediateRetryMiddleware', () => {
  it('retries retriable failures and succeeds within the attempts', async () => {
    const handler = flaky(new HandlerError('1'), new Error('2'));
    await retry(3)(handler)(message, context);
    expect(handler.calls).toBe(3);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const handler = flaky(new HandlerError('1'), new HandlerError('2'), new HandlerError('3'));
    await expect(retry(2)(handler)(message, context)).rejects.toThrow('2');
    expect(handler.calls).toBe(2);
  });

  it('does not retry non-retriable errors', async () => {
    const handler = flaky(new NonRetriableError('no'));
    await expect(retry(5)(handler)(message, context)).rejects.toBeInstanceOf(NonRetriableError);
    expect(handler.calls).toBe(1);
  });

  it('passes a DeferredDelivery straight through', async () => {
    const handler = flaky(new DeferredDelivery(123));
    await expect(retry(5)(handler)(message, context)).rejects.toBeInstanceOf(DeferredDelivery);
    expect(handler.calls).toBe(1);
  });

  it('calls the handler once when attempts is 1', async () => {
    const handler = flaky(new HandlerError('1'));
    await expect(retry(1)(handler)(message, context)).rejects.toThrow('1');
    expect(handler.calls).toBe(1);
  });

  it('rejects an invalid policy at construction', () => {
    expect(() => immediateRetryMiddleware({ attempts: 0, backoffMs: 0 })).toThrow(
      'retry.immediate.attempts must be an integer >= 1, got 0',
    );
  });
});
