/**
 * A stand-in for orders' `GET /orders/{id}` on a local port, for the integration tests of the callback: it
 * answers with the documented Order of the orders it was given, 404 for others, and can be taken down and
 * brought up again on the same port. The e2e system runs the real orders.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderDetails } from '../orders-client/orders.client';

export class OrdersStub {
  private server: Server | undefined;
  private port = 0;
  /** Requests answered, by order id. */
  readonly calls = new Map<string, number>();
  /** What each GET answers with: the order, or a status. */
  answer: (orderId: string) => OrderDetails | number = (id) => this.orders.get(id) ?? 404;

  constructor(private readonly orders = new Map<string, OrderDetails>()) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  add(order: OrderDetails): void {
    this.orders.set(order.id, order);
  }

  async up(): Promise<void> {
    if (this.server) return;
    this.server = createServer((request, response) => {
      const match = /^\/orders\/([^/]+)$/.exec(request.url ?? '');
      const orderId = decodeURIComponent(match?.[1] ?? '');
      this.calls.set(orderId, (this.calls.get(orderId) ?? 0) + 1);
      const answer = match ? this.answer(orderId) : 404;
      const status = typeof answer === 'number' ? answer : 200;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(typeof answer === 'number' ? { status } : { ...answer, history: [] }));
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
