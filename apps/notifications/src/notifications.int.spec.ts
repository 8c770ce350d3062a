/**
 * The notifications service in-process against real Kafka, registry and PostgreSQL: `OrderPlaced` is published
 * to the real topic as the orders service's relay would, and the test asserts the exact order record and the
 * exact outbox row (topic, key, ce_type, decoded payload) it wrote, then reads the record over HTTP. Each
 * test owns its orders (random UUIDs).
 */
import { randomUUID } from 'node:crypto';
import { orderPlacedEvent, notificationsOrderRecordedEvent, type OrderPlaced } from '@orderstream/contracts';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { waitFor } from '@orderstream/testing';
import { startNotifications } from './test/service-under-test';

describe('notifications service', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startNotifications();
  });
  afterAll(() => service?.close());

  function order(lines: OrderPlaced['lines']): OrderPlaced {
    return {
      orderId: randomUUID(),
      customerId: 'customer-1',
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      currency: 'EUR',
      placedAt: Date.UTC(2026, 0, 1),
    };
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `notifications to handle ${ids.length} message(s)`,
      timeoutMs: 60_000,
    });
  }

  async function records(orderId: string) {
    return (await service.dataSource.query(
      'SELECT customer_id, item_count, total_cents::int AS total_cents, currency FROM order_records WHERE order_id = $1',
      [orderId],
    )) as { customer_id: string; item_count: number; total_cents: number; currency: string }[];
  }

  it('records a placed order and publishes OrderRecorded through the outbox', async () => {
    const placed = order([
      { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 },
      { sku: 'SKU-BLUE', quantity: 1, unitPriceCents: 500 },
    ]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    expect(await records(placed.orderId)).toEqual([
      { customer_id: 'customer-1', item_count: 3, total_cents: 3_000, currency: 'EUR' },
    ]);
    expect(await service.outboxOf(placed.orderId)).toEqual([
      expect.objectContaining({
        topic: notificationsOrderRecordedEvent.topic,
        key: placed.orderId,
        type: notificationsOrderRecordedEvent.type,
        data: { orderId: placed.orderId, customerId: 'customer-1', itemCount: 3 },
      }),
    ]);
  });

  it('records an order once, however many messages say it was placed', async () => {
    const placed = order([{ sku: 'SKU-RED', quantity: 4, unitPriceCents: 100 }]);
    // Two messages (two ce_ids) about one order, as a producer's retry or a replay would send: the inbox
    // does not dedupe them, the record's primary key does.
    const first = await service.publisher.publish(orderPlacedEvent, placed);
    const second = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([first.envelope.id, second.envelope.id]);

    expect(await records(placed.orderId)).toHaveLength(1);
    expect((await service.outboxOf(placed.orderId)).map((row) => row.type)).toEqual([
      notificationsOrderRecordedEvent.type,
    ]);
  });

  it('serves an order record over HTTP, with problem+json for what it cannot', async () => {
    const placed = order([{ sku: 'SKU-RED', quantity: 1, unitPriceCents: 700 }]);
    const published = await service.publisher.publish(orderPlacedEvent, placed);
    await handled([published.envelope.id]);

    const found = await fetch(`${service.baseUrl}/order-records/${placed.orderId}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({
      orderId: placed.orderId,
      customerId: 'customer-1',
      itemCount: 1,
      totalCents: 700,
      currency: 'EUR',
      recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });

    const unknown = randomUUID();
    const missing = await fetch(`${service.baseUrl}/order-records/${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({
      type: 'urn:orderstream:problem:order-record-not-found',
      status: 404,
      orderId: unknown,
    });

    const invalid = await fetch(`${service.baseUrl}/order-records/not-a-uuid`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'path:orderId', message: expect.any(String) }],
    });

    const docs = (await (await fetch(`${service.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/order-records/{orderId}', '/health/ready', '/metrics']),
    );
  });
});
