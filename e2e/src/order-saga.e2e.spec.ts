/**
 * The choreographed order saga across the four services as separate processes (orders → payments →
 * inventory, compensations back), against real Kafka, registry and PostgreSQL.
 *
 * One system for the whole file (see support/saga-system.ts for why): the tests share its databases, so
 * each one uses its own SKU or customer where it can and asserts changes relative to what it read before,
 * never absolute totals another test could have moved. The deadline test restarts services, so it runs last.
 */
import { randomUUID } from 'node:crypto';
import { SAGA_MODES } from '@orderstream/system';
import {
  SagaSystem,
  type HttpResult,
  type OrderView,
  type PaymentView,
  type StockLevelView,
} from './support/saga-system';

/** Catalog prices (orders' seed migration), in cents. */
const PRICE = {
  'SKU-RED-MUG': 1200,
  'SKU-BLUE-MUG': 1200,
  'SKU-TEE-M': 2500,
  'SKU-TEE-L': 2500,
  'SKU-POSTER': 900,
  'SKU-LIMITED': 5000,
} as const;

/** The seeded stock of SKU-LIMITED (inventory's seed migration). */
const LIMITED_UNITS = 10;

const statusesOf = (order: OrderView) => order.history.map((h) => [h.status, h.reason]);
const unknownCustomer = () => `e2e-nobody-${randomUUID()}`;

describe.each(SAGA_MODES)('the order saga (%s), across the four services', (sagaMode) => {
  let system: SagaSystem;

  beforeAll(async () => {
    system = await SagaSystem.start({ sagaMode });
  }, 120_000);

  afterAll(async () => {
    await system?.dispose();
  });

  describe('one order at a time', () => {
    it('confirms an order: payment authorized, credit and stock reserved', async () => {
      const [creditBefore, stockBefore] = await Promise.all([
        system.customer('customer-2'),
        system.stock('SKU-RED-MUG'),
      ]);

      const placed = await system.placeOrder({
        customerId: 'customer-2',
        items: [{ sku: 'SKU-RED-MUG', quantity: 2 }],
      });
      expect(placed.status).toBe('PENDING');
      const order = await system.waitForOrder(placed.id);

      expect(order.status).toBe('CONFIRMED');
      expect(statusesOf(order)).toEqual([
        ['PENDING', null],
        ['CONFIRMED', null],
      ]);
      // Orchestrated, the fulfilment saga has run both steps; choreographed, there is no saga instance.
      expect(await system.sagaInstance(order.id)).toEqual(
        sagaMode === 'orchestration'
          ? { status: 'completed', step: 1, attempt: 0, failure: null }
          : undefined,
      );
      expect(await system.payment(order.id)).toMatchObject<Partial<PaymentView>>({
        orderId: order.id,
        customerId: 'customer-2',
        amountCents: 2 * PRICE['SKU-RED-MUG'],
        currency: 'EUR',
        status: 'AUTHORIZED',
        reason: null,
      });
      expect(await system.customer('customer-2')).toEqual({
        ...creditBefore,
        reservedCents: creditBefore.reservedCents + 2400,
        availableCents: creditBefore.availableCents - 2400,
      });
      expect(await system.stock('SKU-RED-MUG')).toEqual<StockLevelView>({
        sku: 'SKU-RED-MUG',
        available: stockBefore.available - 2,
        reserved: stockBefore.reserved + 2,
      });
    });

    it('rejects an order whose customer lacks the credit, reserving nothing', async () => {
      // customer-4 has 50.00 of credit; five mugs cost 60.00.
      const [creditBefore, stockBefore] = await Promise.all([
        system.customer('customer-4'),
        system.stock('SKU-RED-MUG'),
      ]);

      const placed = await system.placeOrder({
        customerId: 'customer-4',
        items: [{ sku: 'SKU-RED-MUG', quantity: 5 }],
      });
      const order = await system.waitForOrder(placed.id);

      expect(statusesOf(order)).toEqual([
        ['PENDING', null],
        ['REJECTED', 'insufficient-credit'],
      ]);
      expect(await system.payment(order.id)).toMatchObject<Partial<PaymentView>>({
        amountCents: 6000,
        status: 'DECLINED',
        reason: 'insufficient-credit',
      });
      expect(await system.customer('customer-4')).toEqual(creditBefore);
      // Inventory reacts only to PaymentAuthorized, so a declined order never reaches it.
      expect(
        await system.query('inventory', 'SELECT 1 FROM stock_orders WHERE order_id = $1', [order.id]),
      ).toEqual([]);
      expect(await system.stock('SKU-RED-MUG')).toEqual(stockBefore);
    });

    it('rejects an order of an unknown customer', async () => {
      const customerId = unknownCustomer();
      const placed = await system.placeOrder({ customerId, items: [{ sku: 'SKU-POSTER', quantity: 1 }] });
      const order = await system.waitForOrder(placed.id);

      expect(statusesOf(order)).toEqual([
        ['PENDING', null],
        ['REJECTED', 'unknown-customer'],
      ]);
      expect(await system.payment(order.id)).toMatchObject<Partial<PaymentView>>({
        customerId,
        status: 'DECLINED',
        reason: 'unknown-customer',
      });
    });

    it('cancels an order that asks for more than the stock, and refunds the payment', async () => {
      const [creditBefore, stockBefore] = await Promise.all([
        system.customer('customer-2'),
        system.stock('SKU-LIMITED'),
      ]);
      expect(stockBefore).toEqual({ sku: 'SKU-LIMITED', available: LIMITED_UNITS, reserved: 0 });

      const placed = await system.placeOrder({
        customerId: 'customer-2',
        items: [{ sku: 'SKU-LIMITED', quantity: LIMITED_UNITS + 1 }],
      });
      const order = await system.waitForOrder(placed.id);

      expect(statusesOf(order)).toEqual([
        ['PENDING', null],
        ['CANCELLED', 'out-of-stock'],
      ]);
      const payment = await system.waitForPayment(order.id, 'REFUNDED');
      expect(payment).toMatchObject({ amountCents: 11 * PRICE['SKU-LIMITED'], reason: 'out-of-stock' });
      // The refund gave back exactly what was reserved: the account is as before.
      expect(await system.customer('customer-2')).toEqual(creditBefore);
      expect(await system.stock('SKU-LIMITED')).toEqual(stockBefore);
      expect(
        await system.query('inventory', 'SELECT status FROM stock_orders WHERE order_id = $1', [order.id]),
      ).toEqual([{ status: 'REJECTED' }]);
    });

    it('cancels a confirmed order on request: stock released, payment refunded', async () => {
      const [creditBefore, stockBefore] = await Promise.all([
        system.customer('customer-3'),
        system.stock('SKU-TEE-M'),
      ]);
      const placed = await system.placeOrder({
        customerId: 'customer-3',
        items: [{ sku: 'SKU-TEE-M', quantity: 2 }],
      });
      const confirmed = await system.waitForOrder(placed.id);
      expect(confirmed.status).toBe('CONFIRMED');
      expect(await system.stock('SKU-TEE-M')).toMatchObject({ available: stockBefore.available - 2 });

      const cancel = await system.cancelOrder(confirmed.id);

      expect(cancel.status).toBe(200);
      expect(statusesOf(cancel.body)).toEqual([
        ['PENDING', null],
        ['CONFIRMED', null],
        ['CANCELLED', 'customer'],
      ]);
      const payment = await system.waitForPayment(confirmed.id, 'REFUNDED');
      expect(payment).toMatchObject({ amountCents: 5000, reason: 'order-cancelled' });
      expect(await system.customer('customer-3')).toEqual(creditBefore);
      await system.until('inventory to release the order', async () => {
        const rows = await system.query<{ status: string }>(
          'inventory',
          'SELECT status FROM stock_orders WHERE order_id = $1',
          [confirmed.id],
        );
        return rows[0]?.status === 'RELEASED';
      });
      expect(await system.stock('SKU-TEE-M')).toEqual(stockBefore);
      expect(await system.order(confirmed.id)).toMatchObject({ status: 'CANCELLED' });
      // Orchestrated, the cancellation saga released, then refunded, and ended.
      if (sagaMode === 'orchestration') {
        expect(
          await system.until('the cancellation saga to complete', async () => {
            const saga = await system.sagaInstance(`${confirmed.id}/cancellation`);
            return saga?.status === 'completed' ? saga : undefined;
          }),
        ).toEqual({ status: 'completed', step: 1, attempt: 0, failure: null });
      }

      // A second cancellation is refused and changes nothing.
      const again = await system.cancelOrder(confirmed.id);
      expect(again.status).toBe(409);
      expect(again.contentType).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({
        type: 'urn:orderstream:problem:illegal-transition',
        orderStatus: 'CANCELLED',
      });
    });
  });

  describe('concurrency', () => {
    it('sells exactly the 10 units of a SKU to 50 concurrent orders, refunding or refusing every other one', async () => {
      const customers = ['customer-1', 'customer-2'] as const;
      const creditBefore = new Map(
        await Promise.all(customers.map(async (c) => [c, (await system.customer(c)).reservedCents] as const)),
      );
      expect(await system.stock('SKU-LIMITED')).toEqual({
        sku: 'SKU-LIMITED',
        available: LIMITED_UNITS,
        reserved: 0,
      });

      // Sample the stock while the orders are in flight: it must never be seen negative or over-reserved.
      const samples: StockLevelView[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) samples.push(await system.stock('SKU-LIMITED'));
      })();

      // An order that orders' stock replica already shows sold out is refused at once (422, no saga);
      // the others race for the units in the saga.
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          system.placeOrderUnlessSoldOut({
            customerId: customers[i % customers.length] ?? 'customer-1',
            items: [{ sku: 'SKU-LIMITED', quantity: 1 }],
          }),
        ),
      );
      const placed = answers.filter((order): order is OrderView => order !== undefined);
      expect(placed.length).toBeGreaterThanOrEqual(LIMITED_UNITS);
      const settled = await Promise.all(placed.map((order) => system.waitForOrder(order.id)));
      sampling = false;
      await sampler;

      const confirmed = settled.filter((o) => o.status === 'CONFIRMED');
      const others = settled.filter((o) => o.status !== 'CONFIRMED');
      expect(confirmed).toHaveLength(LIMITED_UNITS);
      // Credit is ample for both customers, so every order got a payment; the rest found no stock.
      expect(others.map(statusesOf)).toEqual(
        others.map(() => [
          ['PENDING', null],
          ['CANCELLED', 'out-of-stock'],
        ]),
      );
      expect(await system.stock('SKU-LIMITED')).toEqual({
        sku: 'SKU-LIMITED',
        available: 0,
        reserved: LIMITED_UNITS,
      });
      expect(samples.length).toBeGreaterThan(0);
      for (const sample of samples) {
        expect(sample.available).toBeGreaterThanOrEqual(0);
        expect(sample.available + sample.reserved).toBe(LIMITED_UNITS);
      }

      // Stock moved exactly once per confirmed line, and for no other order.
      const reservations = await system.query<{ order_id: string; quantity: number; status: string }>(
        'inventory',
        `SELECT order_id, quantity, status FROM reservations WHERE order_id = ANY($1) ORDER BY order_id`,
        [placed.map((o) => o.id)],
      );
      expect(reservations).toEqual(
        confirmed
          .map((o) => ({ order_id: o.id, quantity: 1, status: 'RESERVED' }))
          .sort((a, b) => a.order_id.localeCompare(b.order_id)),
      );

      const payments = await Promise.all(
        settled.map(async (o) =>
          o.status === 'CONFIRMED' ? system.payment(o.id) : system.waitForPayment(o.id, 'REFUNDED'),
        ),
      );
      expect(payments.map((p) => p?.status)).toEqual(
        settled.map((o) => (o.status === 'CONFIRMED' ? 'AUTHORIZED' : 'REFUNDED')),
      );
      // Reserved credit = the totals of each customer's confirmed orders, nothing of the refunded ones.
      for (const customer of customers) {
        const confirmedTotal = confirmed
          .filter((o) => o.customerId === customer)
          .reduce((sum, o) => sum + o.totalCents, 0);
        expect((await system.customer(customer)).reservedCents).toBe(
          (creditBefore.get(customer) ?? 0) + confirmedTotal,
        );
      }
    });

    it('answers 20 concurrent identical requests with one order and 20 identical responses', async () => {
      const key = randomUUID();
      const customerId = unknownCustomer();
      const body = { customerId, items: [{ sku: 'SKU-POSTER', quantity: 3 }] };

      const responses = await Promise.all(Array.from({ length: 20 }, () => system.postOrder(body, key)));

      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
      const first = responses[0] as HttpResult<OrderView>;
      for (const response of responses) {
        expect(response.body).toEqual(first.body);
        expect(response.location).toBe(`/orders/${first.body.id}`);
      }
      expect((await system.ordersOf(customerId)).map((o) => o.id)).toEqual([first.body.id]);

      const reused = await system.postOrder({ ...body, items: [{ sku: 'SKU-POSTER', quantity: 4 }] }, key);
      expect(reused.status).toBe(422);
      expect(reused.contentType).toMatch(/^application\/problem\+json/);
      expect(reused.body).toMatchObject({
        type: 'urn:orderstream:problem:idempotency-key-reused',
        status: 422,
      });
      // Still one order, and the one saga it started runs to its end (the customer is unknown).
      expect((await system.ordersOf(customerId)).map((o) => o.id)).toEqual([first.body.id]);
      expect(await system.waitForOrder(first.body.id)).toMatchObject({ status: 'REJECTED' });
      expect(await system.payment(first.body.id)).toMatchObject({ status: 'DECLINED' });
    });
  });

  describe('bad input', () => {
    it.each<
      [
        string,
        { body?: (customerId: string) => unknown; rawBody?: (customerId: string) => string },
        number,
        string | undefined,
      ]
    >([
      ['malformed JSON', { rawBody: (c) => `{"customerId": "${c}", "items": [` }, 400, undefined],
      [
        'a wrong type',
        { body: (c) => ({ customerId: c, items: [{ sku: 'SKU-RED-MUG', quantity: 'two' }] }) },
        400,
        'items[0].quantity',
      ],
      [
        'an unknown SKU',
        { body: (c) => ({ customerId: c, items: [{ sku: 'SKU-UNICORN', quantity: 1 }] }) },
        422,
        'items[0].sku',
      ],
      [
        'a negative quantity',
        { body: (c) => ({ customerId: c, items: [{ sku: 'SKU-RED-MUG', quantity: -1 }] }) },
        400,
        'items[0].quantity',
      ],
      [
        'an oversized body',
        {
          rawBody: (c) =>
            JSON.stringify({
              customerId: c,
              items: [{ sku: 'SKU-RED-MUG', quantity: 1 }],
              pad: 'x'.repeat(2_000_000),
            }),
        },
        413,
        undefined,
      ],
    ])('answers %s with problem+json and writes nothing', async (_case, input, status, field) => {
      const customerId = unknownCustomer();
      const response = await system.request('orders', 'POST', '/orders', {
        ...(input.rawBody ? { rawBody: input.rawBody(customerId) } : { body: input.body?.(customerId) }),
        headers: { 'idempotency-key': randomUUID() },
      });

      expect(response.status).toBe(status);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status, instance: '/orders' });
      if (field !== undefined) {
        expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
          field,
        );
      }
      expect(await system.ordersOf(customerId)).toEqual([]);
    });
  });

  describe('the saga deadline', () => {
    it('cancels an order the saga cannot finish in time and refunds its payment', async () => {
      // Inventory down: the payment is authorized, but nobody reserves the stock, so the order stays
      // PENDING until orders (restarted with a short deadline) gives up on it.
      expect(await Promise.all([system.stopOne('inventory'), system.stopOne('orders')])).toEqual([0, 0]);
      await system.startOne('orders', { SAGA_DEADLINE_MS: '3000', SAGA_DEADLINE_POLL_MS: '250' });
      const creditBefore = await system.customer('customer-2');

      const placed = await system.placeOrder({
        customerId: 'customer-2',
        items: [{ sku: 'SKU-BLUE-MUG', quantity: 2 }],
      });
      const order = await system.waitForOrder(placed.id);

      expect(statusesOf(order)).toEqual([
        ['PENDING', null],
        ['CANCELLED', 'deadline'],
      ]);
      if (sagaMode === 'choreography') {
        // OrderPlaced and OrderCancelled share the order's partition, so payments authorizes, then refunds,
        // while inventory is still down.
        expect(await system.waitForPayment(order.id, 'REFUNDED')).toMatchObject({
          amountCents: 2 * PRICE['SKU-BLUE-MUG'],
          reason: 'order-cancelled',
        });
        expect(await system.customer('customer-2')).toEqual(creditBefore);
        // Inventory back: whichever of PaymentAuthorized and OrderCancelled it sees first, it ends holding
        // nothing for the order, and the order stays cancelled.
        await system.startOne('inventory');
      } else {
        // The orchestrator undoes the timed-out ReserveStock first (inventory may still reserve: the
        // command waits in its topic), then the payment: the refund waits for inventory to come back.
        const saga = await system.sagaInstance(order.id);
        expect(saga).toMatchObject({
          status: 'compensating',
          step: 1,
          failure: { step: 'ReserveStock', reason: 'timeout' },
        });
        expect(await system.payment(order.id)).toMatchObject({ status: 'AUTHORIZED' });
        await system.startOne('inventory');
        expect(await system.waitForPayment(order.id, 'REFUNDED')).toMatchObject({
          amountCents: 2 * PRICE['SKU-BLUE-MUG'],
          reason: 'order-cancelled',
        });
        expect(await system.customer('customer-2')).toEqual(creditBefore);
        expect(
          await system.until('the saga to end', async () => {
            const ended = await system.sagaInstance(order.id);
            return ended?.status === 'compensated' ? ended : undefined;
          }),
        ).toMatchObject({ status: 'compensated' });
      }
      const [held] = await system.until('inventory to settle the cancelled order', async () => {
        const rows = await system.query<{ status: string }>(
          'inventory',
          'SELECT status FROM stock_orders WHERE order_id = $1',
          [order.id],
        );
        return rows[0]?.status === 'RELEASED' || rows[0]?.status === 'CANCELLED' ? rows : undefined;
      });
      expect(['RELEASED', 'CANCELLED']).toContain(held?.status);
      expect(
        await system.query(
          'inventory',
          `SELECT 1 FROM reservations WHERE order_id = $1 AND status = 'RESERVED'`,
          [order.id],
        ),
      ).toEqual([]);
      expect(await system.stock('SKU-BLUE-MUG')).toEqual({
        sku: 'SKU-BLUE-MUG',
        available: 1000,
        reserved: 0,
      });
      expect(await system.order(order.id)).toMatchObject({ status: 'CANCELLED' });
    });
  });

  it('stops every service cleanly on SIGTERM', async () => {
    // Whatever still runs (all four, unless a test above failed between a stop and a restart).
    const codes = await system.stopAll();
    expect(Object.keys(codes).length).toBeGreaterThan(0);
    expect(codes).toEqual(Object.fromEntries(Object.keys(codes).map((name) => [name, 0])));
  });
});
