/**
 * The callback's policy against a real HTTP server on a local port: retries with backoff for answers another
 * try may change, a timeout per attempt, a circuit breaker that stops calling a failing orders, and the
 * typed errors the consumer turns into the retry path or the dead-letter topic.
 */
import { HandlerError, NotFoundError } from '@orderstream/messaging';
import { randomUUID } from 'node:crypto';
import { OrdersStub } from '../test/orders-stub';
import { OrdersClient, OrdersUnavailableError } from './orders.client';

describe('OrdersClient', () => {
  const orders = new OrdersStub();
  beforeAll(() => orders.up());
  afterAll(() => orders.down());
  const answerNormally = orders.answer;
  afterEach(() => {
    orders.answer = answerNormally;
  });

  const client = (options: Partial<ConstructorParameters<typeof OrdersClient>[0]> = {}) =>
    new OrdersClient({ baseUrl: orders.url, timeoutMs: 300, ...options });

  it('returns the order orders answers with', async () => {
    const id = randomUUID();
    orders.add({ id, customerId: 'c-1', status: 'CONFIRMED', lines: [], totalCents: 100, currency: 'EUR' });
    await expect(client().order(id)).resolves.toMatchObject({ id, customerId: 'c-1', totalCents: 100 });
  });

  it('retries a 503 twice, then fails retriably', async () => {
    const id = randomUUID();
    orders.answer = () => 503;
    const error = await client()
      .order(id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrdersUnavailableError);
    expect(error).toBeInstanceOf(HandlerError);
    expect(error).toMatchObject({ retriable: true, code: 'ORDERS_UNAVAILABLE' });
    expect(orders.calls.get(id)).toBe(3);
  });

  it('gives up on an attempt that takes longer than the timeout', async () => {
    const id = randomUUID();
    // A server that accepts connections and never answers.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const error = await new OrdersClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 })
        .order(id)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrdersUnavailableError);
      expect((error as Error).message).toMatch(/no answer within 200 ms/);
    } finally {
      silent.close();
    }
  });

  it('opens the breaker after consecutive failures and stops calling', async () => {
    const breaking = client({ breakerThreshold: 3, halfOpenAfterMs: 60_000 });
    orders.answer = () => 500;
    const first = randomUUID();
    await expect(breaking.order(first)).rejects.toBeInstanceOf(OrdersUnavailableError);
    expect(orders.calls.get(first)).toBe(3);
    expect(breaking.breakerState).toBe('open');
    const second = randomUUID();
    const error = await breaking.order(second).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/circuit breaker is open/);
    expect(orders.calls.get(second)).toBeUndefined();
  });

  it('an unknown order is a non-retriable NotFoundError', async () => {
    const error = await client()
      .order(randomUUID())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ retriable: false, code: 'ORDER_NOT_FOUND' });
  });
});
