/**
 * POST /orders against real PostgreSQL, Kafka and registry: one transaction writes the order, its lines,
 * its history and exactly one OrderPlaced outbox row; the Idempotency-Key makes 20 concurrent identical
 * requests one order; bad input gets problem+json and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { HEADERS } from '@orderstream/messaging';
import { orderPlacedEvent, Topics } from '@orderstream/contracts';
import type { OrderView } from '../query-orders/order.view';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { startOrders } from '../test/service-under-test';

describe('POST /orders', () => {
  let orders: ServiceUnderTest;

  beforeAll(async () => {
    orders = await startOrders();
  });
  afterAll(() => orders?.close());

  const post = (body: unknown, key: string | undefined = randomUUID()) =>
    request(orders.baseUrl, 'POST', '/orders', {
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  async function counts(): Promise<Record<string, number>> {
    const [row] = (await orders.dataSource.query(`
      SELECT (SELECT count(*) FROM orders)::int AS orders,
             (SELECT count(*) FROM order_lines)::int AS lines,
             (SELECT count(*) FROM order_status_history)::int AS history,
             (SELECT count(*) FROM messaging_outbox)::int AS outbox,
             (SELECT count(*) FROM idempotency_keys)::int AS keys`)) as Record<string, number>[];
    return row ?? {};
  }

  it('stores the order PENDING and queues exactly one OrderPlaced carrying the whole order', async () => {
    const customerId = `customer-${randomUUID()}`;
    const response = await post({
      customerId,
      items: [
        { sku: 'SKU-RED-MUG', quantity: 2 },
        { sku: 'SKU-TEE-L', quantity: 1 },
      ],
    });

    expect(response.status).toBe(201);
    const order = response.body as OrderView;
    expect(response.location).toBe(`/orders/${order.id}`);
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      status: 'PENDING',
      lines: [
        { sku: 'SKU-RED-MUG', quantity: 2, unitPriceCents: 1200 },
        { sku: 'SKU-TEE-L', quantity: 1, unitPriceCents: 2500 },
      ],
      totalCents: 4900,
      currency: 'EUR',
      placedAt: expect.any(String),
      history: [{ status: 'PENDING', reason: null, at: order.placedAt }],
    });

    const outbox = await orders.outboxEntriesOf(order.id);
    expect(outbox).toEqual([
      {
        topic: Topics.orders,
        key: order.id,
        type: orderPlacedEvent.type,
        aggregateType: 'Order',
        headers: expect.objectContaining({
          [HEADERS.type]: orderPlacedEvent.type,
          [HEADERS.subject]: order.id,
          [HEADERS.source]: '/orderstream/orders',
          [HEADERS.correlationId]: order.id,
        }),
        data: {
          orderId: order.id,
          customerId,
          lines: order.lines,
          totalCents: 4900,
          currency: 'EUR',
          placedAt: Date.parse(order.placedAt),
        },
      },
    ]);

    const fetched = await request(orders.baseUrl, 'GET', `/orders/${order.id}`);
    expect(fetched).toMatchObject({ status: 200, body: order });
    const list = await request(orders.baseUrl, 'GET', `/orders?customerId=${customerId}`);
    expect(list).toMatchObject({ status: 200, body: { orders: [order] } });
  });

  it('answers 20 concurrent identical requests with one order and 20 identical responses', async () => {
    const key = randomUUID();
    const body = { customerId: `customer-${randomUUID()}`, items: [{ sku: 'SKU-POSTER', quantity: 3 }] };

    const responses = await Promise.all(Array.from({ length: 20 }, () => post(body, key)));

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    const first = responses[0]?.body as OrderView;
    for (const response of responses) expect(response.body).toEqual(first);
    const stored = (await orders.dataSource.query('SELECT id FROM orders WHERE customer_id = $1', [
      body.customerId,
    ])) as { id: string }[];
    expect(stored).toEqual([{ id: first.id }]);
    expect((await orders.outboxEntriesOf(first.id)).map((row) => row.type)).toEqual([orderPlacedEvent.type]);

    const reused = await post({ ...body, items: [{ sku: 'SKU-POSTER', quantity: 4 }] }, key);
    expect(reused.status).toBe(422);
    expect(reused.contentType).toMatch(/^application\/problem\+json/);
    expect(reused.body).toMatchObject({
      type: 'urn:orderstream:problem:idempotency-key-reused',
      status: 422,
      errors: [{ field: 'header:Idempotency-Key', message: 'already used with a different request' }],
    });
  });

  it.each<[string, { body?: unknown; rawBody?: string; key?: string | null }, number, string]>([
    ['malformed JSON', { rawBody: '{"customerId": "c", "items": [' }, 400, '(json)'],
    [
      'a wrong type',
      { body: { customerId: 'c', items: [{ sku: 'SKU-RED-MUG', quantity: 'two' }] } },
      400,
      'items[0].quantity',
    ],
    [
      'a missing Idempotency-Key',
      { body: { customerId: 'c', items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] }, key: null },
      400,
      'header:Idempotency-Key',
    ],
    [
      'an unknown SKU',
      { body: { customerId: 'c', items: [{ sku: 'SKU-UNICORN', quantity: 1 }] } },
      422,
      'items[0].sku',
    ],
    [
      'a negative quantity',
      { body: { customerId: 'c', items: [{ sku: 'SKU-RED-MUG', quantity: -1 }] } },
      400,
      'items[0].quantity',
    ],
    [
      'an absurd quantity',
      { body: { customerId: 'c', items: [{ sku: 'SKU-RED-MUG', quantity: 1_000_000 }] } },
      400,
      'items[0].quantity',
    ],
    [
      'too many lines',
      {
        body: {
          customerId: 'c',
          items: Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })),
        },
      },
      400,
      'items',
    ],
    [
      'a NUL in a SKU',
      { body: { customerId: 'c', items: [{ sku: 'SKU\u0000X', quantity: 1 }] } },
      400,
      'items[0].sku',
    ],
    [
      'a SKU on two lines',
      {
        body: {
          customerId: 'c',
          items: [
            { sku: 'SKU-RED-MUG', quantity: 1 },
            { sku: 'SKU-RED-MUG', quantity: 2 },
          ],
        },
      },
      422,
      'items[1].sku',
    ],
    ['JSON null', { rawBody: 'null' }, 400, '(body)'],
    [
      'an oversized body',
      { rawBody: JSON.stringify({ customerId: 'c', items: [], pad: 'x'.repeat(200_000) }) },
      413,
      '(size)',
    ],
  ])('answers %s with problem+json and writes nothing', async (_case, input, status, field) => {
    const before = await counts();
    const response = await request(orders.baseUrl, 'POST', '/orders', {
      ...(input.rawBody !== undefined ? { rawBody: input.rawBody } : { body: input.body }),
      headers: input.key === null ? {} : { 'idempotency-key': input.key ?? randomUUID() },
    });

    expect(response.status).toBe(status);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status, instance: '/orders' });
    if (!field.startsWith('(')) {
      expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers a body that is not JSON with 415, and a NUL in the customer of a query with 400', async () => {
    const notJson = await fetch(`${orders.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'idempotency-key': randomUUID() },
      body: 'customerId=c',
    });
    expect(notJson.status).toBe(415);
    expect(await notJson.json()).toMatchObject({ type: 'urn:orderstream:problem:unsupported-media-type' });

    for (const customerId of ['a%00b', '']) {
      const listed = await request(orders.baseUrl, 'GET', `/orders?customerId=${customerId}`);
      expect(listed).toMatchObject({
        status: 400,
        body: {
          type: 'urn:orderstream:problem:invalid-request',
          errors: expect.arrayContaining([expect.objectContaining({ field: 'query:customerId' })]) as unknown,
        },
      });
    }
  });
});
