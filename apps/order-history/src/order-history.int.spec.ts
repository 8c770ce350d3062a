/**
 * order-history in-process against real Kafka, registry and PostgreSQL: the saga's events published on the
 * three topics become order views with their timeline (topic, partition, offset, causation), customer
 * summaries and pages; a redelivered event changes nothing; the admin API is authenticated; and a new
 * projection code version is built beside the served generation and served once caught up.
 */
import { ordersEvents } from '@orderstream/contracts';
import { event } from '@orderstream/messaging';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { waitFor } from '@orderstream/testing';
import { randomUUID } from 'node:crypto';
import { startOrderHistory, TEST_ADMIN_TOKEN } from './test/service-under-test';
import { publishSaga, timelineCount, type PublishedSaga } from './test/saga-traffic';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('order-history service', () => {
  let service: ServiceUnderTest;
  const customerId = `customer-${randomUUID()}`;
  const sagas: PublishedSaga[] = [];

  beforeAll(async () => {
    service = await startOrderHistory();
    for (const shape of ['confirmed', 'declined', 'out-of-stock', 'cancelled'] as const) {
      sagas.push(await publishSaga(service.publisher, customerId, shape));
    }
    const total = sagas.reduce((n, s) => n + s.events, 0);
    await waitFor(async () => (await timelineCount(service.dataSource)) === total, {
      description: `all ${total} events in the timeline`,
    });
  });
  afterAll(() => service?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    request(service.baseUrl, 'GET', path, { headers });
  const caughtUp = () =>
    waitFor(
      async () =>
        ((await get('/admin/projections/order-history', admin)).body as { serving?: { lag: number } }).serving
          ?.lag === 0,
      { description: 'the served generation to have read every record' },
    );

  it('serves an order view with its states, lines and full timeline', async () => {
    const saga = sagas.find((s) => s.shape === 'out-of-stock')!;
    const response = await get(`/order-views/${saga.orderId}`);
    expect(response.status).toBe(200);
    const view = response.body as Record<string, unknown> & { timeline: Record<string, unknown>[] };
    expect(view).toMatchObject({
      orderId: saga.orderId,
      customerId,
      state: 'CANCELLED',
      stateReason: 'out-of-stock',
      totalCents: 2_500,
      currency: 'EUR',
      lines: [{ sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 }],
      payment: { state: 'REFUNDED', reason: 'out-of-stock', amountCents: 2_500 },
      reservation: { state: 'REJECTED', shortSku: 'SKU-RED' },
      eventCount: 5,
    });
    expect(view['placedAt']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
    expect(view.timeline.map((e) => [e['type'], e['source'], e['topic']])).toEqual([
      ['orderstream.orders.OrderPlaced', '/orderstream/orders', 'orders.events'],
      ['orderstream.payments.PaymentAuthorized', '/orderstream/payments', 'payments.events'],
      ['orderstream.inventory.StockRejected', '/orderstream/inventory', 'inventory.events'],
      ['orderstream.orders.OrderCancelled', '/orderstream/orders', 'orders.events'],
      ['orderstream.payments.PaymentRefunded', '/orderstream/payments', 'payments.events'],
    ]);
    // Each event's place in the log and its cause: the one before it in the saga.
    for (const [index, event] of view.timeline.entries()) {
      expect(event).toEqual({
        eventId: expect.any(String),
        type: expect.any(String),
        source: expect.any(String),
        time: expect.any(String),
        topic: expect.any(String),
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        causationId: index === 0 ? null : expect.any(String),
      });
    }
    expect(view.timeline[1]!['causationId']).toBe(view.timeline[0]!['eventId']);
  });

  it("summarizes the customer's orders by state, spending and refunds", async () => {
    const response = await get(`/customers/${customerId}/summary`);
    expect(response).toMatchObject({ status: 200 });
    expect(response.body).toEqual({
      customerId,
      ordersByState: { PENDING: 0, CONFIRMED: 1, REJECTED: 1, CANCELLED: 2 },
      refunds: 2,
      amounts: [{ currency: 'EUR', spentCents: 2_500, refundedCents: 5_000 }],
    });
  });

  it('lists views by customer and state, page by page, with an opaque keyset cursor', async () => {
    const all = await get(`/order-views?customerId=${customerId}`);
    const items = (all.body as { items: { orderId: string }[]; nextCursor: string | null }).items;
    expect(items.map((i) => i.orderId).sort()).toEqual(sagas.map((s) => s.orderId).sort());
    expect((all.body as { nextCursor: unknown }).nextCursor).toBeNull();

    const cancelled = await get(`/order-views?customerId=${customerId}&state=CANCELLED`);
    expect((cancelled.body as { items: { state: string }[] }).items.map((i) => i.state)).toEqual([
      'CANCELLED',
      'CANCELLED',
    ]);
    const bad = await get(`/order-views?cursor=not-a-cursor`);
    expect(bad).toMatchObject({
      status: 400,
      contentType: expect.stringContaining('application/problem+json'),
    });
  });

  it('pages through many orders newest first, none repeated or skipped, ties broken by order id', async () => {
    const pager = `pager-${randomUUID()}`;
    const base = Date.UTC(2026, 11, 1);
    // 120 orders, three per millisecond: the cursor must break ties in placedAt.
    const placed = Array.from({ length: 120 }, (_, i) => ({
      orderId: randomUUID(),
      placedAt: base + Math.floor(i / 3),
    }));
    await service.publisher.publishBatch(
      placed.map(({ orderId, placedAt }) =>
        event(ordersEvents.OrderPlaced, {
          orderId,
          customerId: pager,
          lines: [{ sku: 'SKU-RED', quantity: 1, unitPriceCents: 100 }],
          totalCents: 100,
          currency: 'EUR',
          placedAt,
        }),
      ),
    );
    await caughtUp();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/order-views?customerId=${pager}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      const body = page.body as { items: { orderId: string }[]; nextCursor: string | null };
      pages.push(body.items.map((i) => i.orderId));
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    const expected = [...placed]
      .sort((a, b) => b.placedAt - a.placedAt || (a.orderId < b.orderId ? 1 : -1))
      .map((p) => p.orderId);
    expect(pages.flat()).toEqual(expected);
  });

  it('answers 404 problems for an unknown order or customer, 400 for a malformed id', async () => {
    expect(await get(`/order-views/${randomUUID()}`)).toMatchObject({
      status: 404,
      body: { type: 'urn:orderstream:problem:order-view-not-found' },
    });
    expect(await get(`/customers/nobody-${randomUUID()}/summary`)).toMatchObject({
      status: 404,
      body: { type: 'urn:orderstream:problem:customer-summary-not-found' },
    });
    expect(await get(`/order-views/not-a-uuid`)).toMatchObject({ status: 400 });
  });

  it('a redelivered event (same ce_id) changes neither the timeline nor the summary', async () => {
    const saga = sagas.find((s) => s.shape === 'confirmed')!;
    const before = await get(`/order-views/${saga.orderId}`);
    const placed = (before.body as { timeline: { eventId: string; type: string }[] }).timeline[0]!;
    const eventsBefore = await timelineCount(service.dataSource);
    // Published again with its id, as a producer retrying after a lost ack would; a marker event after it on
    // the same partition shows when the redelivery has been read.
    await service.publisher.publish(
      ordersEvents.OrderPlaced,
      {
        orderId: saga.orderId,
        customerId,
        lines: [{ sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 }],
        totalCents: 2_500,
        currency: 'EUR',
        placedAt: Date.now(),
      },
      { id: placed.eventId, source: '/orderstream/orders' },
    );
    await caughtUp();
    expect(await timelineCount(service.dataSource)).toBe(eventsBefore);
    const after = await get(`/order-views/${saga.orderId}`);
    expect(after.body).toEqual(before.body);
    expect(await get(`/customers/${customerId}/summary`)).toMatchObject({
      body: { ordersByState: { PENDING: 0, CONFIRMED: 1, REJECTED: 1, CANCELLED: 2 } },
    });
  });

  describe('admin API', () => {
    it('refuses a missing or wrong token with 401', async () => {
      expect(await get('/admin/projections/order-history')).toMatchObject({ status: 401 });
      expect(
        await get('/admin/projections/order-history', { authorization: 'Bearer wrong-token-wrong-token' }),
      ).toMatchObject({ status: 401, contentType: expect.stringContaining('application/problem+json') });
    });

    it('reports the served generation, caught up', async () => {
      const response = await get('/admin/projections/order-history', admin);
      expect(response).toMatchObject({
        status: 200,
        body: {
          projection: 'order-history',
          codeVersion: 1,
          serving: {
            generation: 1,
            status: 'serving',
            consumerGroup: 'order-history.g1',
            lag: 0,
            consuming: true,
          },
          building: null,
        },
      });
    });
  });
});

describe('order-history without ADMIN_TOKEN', () => {
  let service: ServiceUnderTest;
  beforeAll(async () => {
    service = await startOrderHistory({ env: { ADMIN_TOKEN: '' } });
  });
  afterAll(() => service?.close());

  it('has no admin API: 404, whatever the token', async () => {
    const response = await request(service.baseUrl, 'POST', '/admin/projections/order-history/rebuild', {
      headers: admin,
    });
    expect(response).toMatchObject({ status: 404 });
  });
});
