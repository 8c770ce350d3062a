/**
 * The HTTP calls the scenario makes, against the services' public APIs only (the same ones a visitor can
 * try with curl or the OpenAPI UI at /docs). The view types repeat the services' response shapes on
 * purpose: apps are not importable from tools, and the demo is a client like any other.
 */

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export interface OrderView {
  id: string;
  customerId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  placedAt: string;
  history: { status: OrderStatus; reason: string | null; at: string }[];
}

export interface PaymentView {
  orderId: string;
  status: 'AUTHORIZED' | 'DECLINED' | 'REFUNDED';
  /** Why it was declined or refunded (`insufficient-credit`, `out-of-stock`, `order-cancelled`, …). */
  reason: string | null;
  amountCents: number;
}

export interface CustomerCredit {
  customerId: string;
  creditLimitCents: number;
  reservedCents: number;
  availableCents: number;
}

export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
  version: number;
  withdrawn: boolean;
}

/** A SKU in orders' replica of the stock levels (`GET /stock-levels` on orders). */
export interface ReplicatedStockLevel {
  sku: string;
  available: number;
  reserved: number;
  version: number;
}

export interface SagaApiUrls {
  orders: string;
  payments: string;
  inventory: string;
}

/** A response the scenario did not expect; carries the status and the problem+json body if there was one. */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';

  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${request} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export class SagaApiClient {
  constructor(
    private readonly urls: SagaApiUrls,
    private readonly timeoutMs = 10_000,
  ) {}

  async placeOrder(
    idempotencyKey: string,
    body: { customerId: string; items: { sku: string; quantity: number }[] },
  ): Promise<OrderView> {
    return this.expect(201, 'POST', `${this.urls.orders}/orders`, body, {
      'idempotency-key': idempotencyKey,
    });
  }

  async getOrder(orderId: string): Promise<OrderView> {
    return this.expect(200, 'GET', `${this.urls.orders}/orders/${orderId}`);
  }

  /** The cancelled order, or the 409 problem when the order was not cancellable any more. */
  async cancelOrder(
    orderId: string,
  ): Promise<{ cancelled: true; order: OrderView } | { cancelled: false; status: number }> {
    const url = `${this.urls.orders}/orders/${orderId}/cancel`;
    const response = await this.call('POST', url);
    if (response.status === 200) return { cancelled: true, order: response.body as OrderView };
    if (response.status === 409) return { cancelled: false, status: 409 };
    throw new UnexpectedResponseError(`POST ${url}`, response.status, response.body);
  }

  /** Undefined while payments has no payment for the order (not handled yet, or never: see the saga). */
  async getPayment(orderId: string): Promise<PaymentView | undefined> {
    return this.optional('GET', `${this.urls.payments}/payments/${orderId}`);
  }

  async getCustomer(customerId: string): Promise<CustomerCredit | undefined> {
    return this.optional('GET', `${this.urls.payments}/customers/${encodeURIComponent(customerId)}`);
  }

  async listStock(): Promise<StockLevel[]> {
    return this.expect(200, 'GET', `${this.urls.inventory}/stock`);
  }

  async listStockReplica(): Promise<ReplicatedStockLevel[]> {
    return this.expect(200, 'GET', `${this.urls.orders}/stock-levels`);
  }

  private async optional<T>(method: string, url: string): Promise<T | undefined> {
    const response = await this.call(method, url);
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw new UnexpectedResponseError(`${method} ${url}`, response.status, response.body);
    return response.body as T;
  }

  private async expect<T>(
    status: number,
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.call(method, url, body, headers);
    if (response.status !== status) {
      throw new UnexpectedResponseError(`${method} ${url}`, response.status, response.body);
    }
    return response.body as T;
  }

  private async call(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: response.status, body: parsed };
  }
}
