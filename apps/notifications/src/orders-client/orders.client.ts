/**
 * The callback to orders for what a thin event leaves out: `GET /orders/{id}` (lines, totals, customer).
 *
 * Resilience comes from cockatiel (3.2: 4.x ships ES modules only, and the services and their tests run as
 * CommonJS), composed outermost first:
 * - a retry, twice more with exponential backoff (200 ms, then up to 1 s), for answers another try may
 *   change (no answer, a timeout, a 5xx, a 429);
 * - a circuit breaker shared by every message, open after 5 consecutive failures and half-open after 10 s,
 *   so a down orders is not hammered by every message of every partition;
 * - a timeout per attempt (`ORDERS_TIMEOUT_MS`), cancelling the request.
 *
 * What the policy cannot fix becomes a typed error the consumer understands: orders down, slow or
 * refusing, or the breaker open, is `OrdersUnavailableError` (retriable: the message takes the group's retry
 * topics, never straight to the dead-letter topic); an order orders does not know is a `NotFoundError`
 * (no retry makes it appear: dead-lettered at once); an answer that is not an order is an
 * `InvariantViolatedError`.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { HandlerError, InvariantViolatedError, NotFoundError } from '@orderstream/messaging';
import { z } from 'zod';

/** What notifications needs of orders' `Order` (its OpenAPI schema has more). */
export const orderDetailsSchema = z.object({
  id: z.uuid(),
  customerId: z.string(),
  status: z.string(),
  lines: z.array(z.object({ sku: z.string(), quantity: z.int(), unitPriceCents: z.int() })),
  totalCents: z.int(),
  currency: z.string(),
});

export type OrderDetails = z.infer<typeof orderDetailsSchema>;

/** orders could not answer (down, slow, 5xx, or the breaker is open): worth another try later. */
export class OrdersUnavailableError extends HandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, code: 'ORDERS_UNAVAILABLE' });
    this.name = 'OrdersUnavailableError';
  }
}

/** An answer another attempt may change. */
class TransientAnswer extends Error {
  constructor(readonly status: number) {
    super(`orders answered ${status}`);
  }
}

const isTransient = (error: unknown): boolean =>
  error instanceof TransientAnswer ||
  error instanceof TaskCancelledError ||
  // fetch rejects with a TypeError when nothing answers (connection refused, reset).
  error instanceof TypeError;

export interface OrdersClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Default 5 consecutive failures. */
  breakerThreshold?: number;
  /** Default 10 s. */
  halfOpenAfterMs?: number;
}

export class OrdersClient {
  private readonly policy: IPolicy;
  private readonly breaker;

  constructor(private readonly options: OrdersClientOptions) {
    const transient = handleWhen(isTransient);
    this.breaker = circuitBreaker(transient, {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    this.policy = wrap(
      retry(transient, {
        maxAttempts: 2,
        backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 1_000 }),
      }),
      this.breaker,
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  /** The breaker's state, for logs and tests: `closed`, `open`, `halfOpen`, `isolated`. */
  get breakerState(): string {
    return ['closed', 'open', 'halfOpen', 'isolated'][this.breaker.state] ?? String(this.breaker.state);
  }

  async order(orderId: string): Promise<OrderDetails> {
    const url = `${this.options.baseUrl}/orders/${encodeURIComponent(orderId)}`;
    let response: { status: number; body: unknown };
    try {
      response = await this.policy.execute(async ({ signal }) => {
        const answer = await fetch(url, { signal, headers: { accept: 'application/json' } });
        if (answer.status >= 500 || answer.status === 429) throw new TransientAnswer(answer.status);
        return { status: answer.status, body: answer.status === 200 ? await answer.json() : undefined };
      });
    } catch (error) {
      const why =
        error instanceof BrokenCircuitError
          ? 'the circuit breaker is open after repeated failures'
          : error instanceof TaskCancelledError
            ? `no answer within ${this.options.timeoutMs} ms`
            : error instanceof Error
              ? error.message
              : String(error);
      throw new OrdersUnavailableError(`GET ${url} failed: ${why}`, { cause: error });
    }
    if (response.status === 404) {
      throw new NotFoundError(`orders does not know order ${orderId}`, {
        code: 'ORDER_NOT_FOUND',
        details: { orderId },
      });
    }
    const parsed = orderDetailsSchema.safeParse(response.body);
    if (response.status !== 200 || !parsed.success) {
      throw new InvariantViolatedError(`GET ${url} answered ${response.status} without an order`, {
        code: 'ORDERS_ANSWER_INVALID',
        details: { orderId, status: response.status },
      });
    }
    return parsed.data;
  }
}
