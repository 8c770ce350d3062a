/**
 * Places an order: prices it, checks it against the stock replica (a SKU not on sale or out of stock is a
 * 422 before anything is stored), stores it PENDING with its lines and first history entry, and queues
 * OrderPlaced (the whole order: event-carried state transfer) in the outbox, in one transaction.
 *
 * Idempotency (`Idempotency-Key`): the key is claimed in the same transaction with
 * `INSERT … ON CONFLICT (key) DO NOTHING`. A concurrent request with the same key blocks on that insert
 * until the first transaction ends (PostgreSQL waits on the uncommitted duplicate key), then inserts
 * nothing and reads the committed row: 20 concurrent identical requests make one order and 20 identical
 * responses. If the first transaction rolls back (a 422, a crash), the waiter's insert succeeds and it
 * places the order itself. Only successful responses are stored: a rejected request wrote nothing, and
 * repeating it gives the same answer anyway.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { orderPlacedEvent } from '@orderstream/contracts';
import { InvariantViolatedError } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import type { DataSource, EntityManager } from 'typeorm';
import { CatalogRepository } from '../catalog/catalog.repository';
import { priceOrder } from '../catalog/price-order';
import { idempotencyKeyReused, stockUnavailable, unprocessableOrder } from '../http/order-problems';
import { ORDER_AGGREGATE } from '../order/order-transitions';
import { OrderSagaOrchestrator } from '../order-saga/order-saga.orchestrator';
import type { OrderView } from '../query-orders/order.view';
import { unavailableLines } from '../stock-replica/stock-availability';
import { StockReplicaRepository } from '../stock-replica/stock-replica.repository';
import type { PlaceOrderBody } from './place-order.request';

export interface PlaceOrderResult {
  status: number;
  body: OrderView;
  /** True when the response is the stored one of an earlier request with the same key. */
  replayed: boolean;
}

@Injectable()
export class PlaceOrderUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalog: CatalogRepository,
    private readonly stockReplica: StockReplicaRepository,
    private readonly outbox: OutboxWriter,
    private readonly sagas: OrderSagaOrchestrator,
  ) {}

  async place(idempotencyKey: string, body: PlaceOrderBody): Promise<PlaceOrderResult> {
    const requestHash = requestHashOf(body);
    return this.dataSource.transaction(async (manager) => {
      const claimed = (await manager.query(
        `INSERT INTO idempotency_keys (key, request_hash) VALUES ($1, $2)
         ON CONFLICT (key) DO NOTHING RETURNING key`,
        [idempotencyKey, requestHash],
      )) as unknown[];
      if (claimed.length === 0) return this.replay(manager, idempotencyKey, requestHash);

      const body201 = await this.createOrder(manager, body);
      await manager.query(
        'UPDATE idempotency_keys SET response_status = $2, response_body = $3::jsonb WHERE key = $1',
        [idempotencyKey, 201, JSON.stringify(body201)],
      );
      return { status: 201, body: body201, replayed: false };
    });
  }

  private async replay(manager: EntityManager, key: string, requestHash: string): Promise<PlaceOrderResult> {
    const rows = (await manager.query(
      'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key = $1',
      [key],
    )) as { request_hash: string; response_status: number | null; response_body: OrderView | null }[];
    const stored = rows[0];
    if (!stored || stored.response_status === null || stored.response_body === null) {
      // Cannot happen under READ COMMITTED: the conflicting row is committed, with its response.
      throw new InvariantViolatedError(`Idempotency key ${key} conflicted but has no stored response`);
    }
    if (stored.request_hash !== requestHash) throw idempotencyKeyReused();
    return { status: stored.response_status, body: stored.response_body, replayed: true };
  }

  private async createOrder(manager: EntityManager, body: PlaceOrderBody): Promise<OrderView> {
    const prices = await this.catalog.pricesOf(
      manager,
      body.items.map((item) => item.sku),
    );
    const priced = priceOrder(body.items, prices);
    if (!priced.ok) throw unprocessableOrder(priced.errors);
    // The local replica of inventory's stock levels answers before any saga starts (see stock-replica/).
    const levels = await this.stockReplica.levelsOf(
      manager,
      body.items.map((item) => item.sku),
    );
    const unavailable = unavailableLines(body.items, levels);
    if (unavailable.length > 0) throw stockUnavailable(unavailable);
    const { lines, totalCents, currency } = priced.order;

    const orderId = randomUUID();
    const [inserted] = (await manager.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency)
       VALUES ($1, $2, 'PENDING', $3, $4) RETURNING created_at`,
      [orderId, body.customerId, totalCents, currency],
    )) as { created_at: Date }[];
    if (!inserted) throw new InvariantViolatedError(`The insert of order ${orderId} returned no row`);
    await manager.query(
      `INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents)
       SELECT $1, ordinality, sku, quantity, price
         FROM unnest($2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS l(sku, quantity, price)`,
      [orderId, lines.map((l) => l.sku), lines.map((l) => l.quantity), lines.map((l) => l.unitPriceCents)],
    );
    await manager.query(
      `INSERT INTO order_status_history (order_id, status, caused_by, occurred_at)
       VALUES ($1, 'PENDING', 'POST /orders', $2)`,
      [orderId, inserted.created_at],
    );
    // The new row is locked by this transaction already, so nothing can queue an event for this order
    // between this one and the commit. The order id is the saga's correlation id.
    await this.outbox.add(manager, {
      definition: orderPlacedEvent,
      data: {
        orderId,
        customerId: body.customerId,
        lines,
        totalCents,
        currency,
        placedAt: inserted.created_at.getTime(),
      },
      aggregateType: ORDER_AGGREGATE,
      correlationId: orderId,
    });
    // Orchestrated (SAGA_MODE=orchestration), the saga starts here: its first command, AuthorizePayment,
    // goes to the outbox after OrderPlaced. Choreographed, OrderPlaced alone starts it.
    await this.sagas.startFulfilment(manager, {
      orderId,
      customerId: body.customerId,
      amountCents: totalCents,
      currency,
      items: lines.map(({ sku, quantity }) => ({ sku, quantity })),
    });

    // The response is what was just written, built from the same values rather than read back: reading it
    // back cost three SELECTs per order (docs/benchmarks.md). A test compares it with GET /orders/{id}.
    const placedAt = inserted.created_at.toISOString();
    return {
      id: orderId,
      customerId: body.customerId,
      status: 'PENDING',
      lines: lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      totalCents,
      currency,
      placedAt,
      history: [{ status: 'PENDING', reason: null, at: placedAt }],
    };
  }
}

/** Identifies the request body independently of member order and whitespace. */
export function requestHashOf(body: PlaceOrderBody): string {
  const canonical = JSON.stringify({
    customerId: body.customerId,
    items: body.items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
