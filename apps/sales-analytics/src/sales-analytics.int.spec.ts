/**
 * The sales-analytics service in-process against real Kafka and the registry, in a namespace of its own:
 * order events are published to orders.events as the orders relay would, and a read_committed reader of
 * analytics.sku-sales must end with exact figures per SKU and per minute. Covers a cancellation after
 * confirmation (retracted), a rejection (never counted), a duplicate confirmation (counted once), a record
 * that does not decode (dead-lettered with its reason, the rest committed), and a restart that restores the
 * stores from their changelogs.
 */
import { randomUUID } from 'node:crypto';
import {
  orderCancelledEvent,
  orderConfirmedEvent,
  orderPlacedEvent,
  orderRejectedEvent,
  skuMinuteKey,
  Topics,
  type OrderPlaced,
  type SkuSalesChanged,
} from '@orderstream/contracts';
import { DEAD_LETTER_HEADERS, HEADERS, type ConsumedRecord } from '@orderstream/messaging';
import { uniqueName } from '@orderstream/testing';
import { startSalesAnalytics, type SalesAnalyticsUnderTest } from './test/service-under-test';
import { windowStartOf } from './sales/confirmed-lines';

jest.setTimeout(120_000);

describe('sales-analytics service', () => {
  let service: SalesAnalyticsUnderTest;

  beforeAll(async () => {
    service = await startSalesAnalytics();
  });
  afterAll(() => service?.close());

  const placed = (lines: OrderPlaced['lines']): OrderPlaced => ({
    orderId: randomUUID(),
    customerId: 'customer-1',
    lines,
    totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
    currency: 'EUR',
    placedAt: Date.now(),
  });
  const confirm = (o: OrderPlaced) =>
    service.publisher.publish(orderConfirmedEvent, { orderId: o.orderId, customerId: o.customerId });

  /** The latest decoded figure per key of analytics.sku-sales, as a compacted topic's reader ends with. */
  async function latest(records: ConsumedRecord[]): Promise<Map<string, { type: string; data: unknown }>> {
    const out = new Map<string, { type: string; data: unknown }>();
    for (const r of records) {
      const envelope = await service.decode(r);
      out.set(r.key!.toString(), { type: envelope.type, data: envelope.data });
    }
    return out;
  }

  const redUpdatedAt = (figures: Map<string, { data: unknown }>, sku: string) =>
    (figures.get(sku)?.data as SkuSalesChanged | undefined)?.updatedAt ?? 0;

  it('keeps exact per-SKU totals and minutes through cancellations, rejections, duplicates and a poison record', async () => {
    const red = uniqueName('SKU-RED');
    const blue = uniqueName('SKU-BLUE');
    const a = placed([
      { sku: red, quantity: 2, unitPriceCents: 1_250 },
      { sku: blue, quantity: 1, unitPriceCents: 500 },
      { sku: red, quantity: 1, unitPriceCents: 1_250 },
    ]);
    const b = placed([{ sku: red, quantity: 5, unitPriceCents: 1_250 }]);
    const c = placed([{ sku: blue, quantity: 9, unitPriceCents: 500 }]);
    for (const o of [a, b, c]) await service.publisher.publish(orderPlacedEvent, o);
    const confirmedA = await confirm(a);
    await confirm(a); // a duplicate: another ce_id, same order
    await confirm(b);
    const cancelledB = await service.publisher.publish(orderCancelledEvent, {
      orderId: b.orderId,
      customerId: 'customer-1',
      reason: 'customer',
    });
    await service.publisher.publish(orderRejectedEvent, {
      orderId: c.orderId,
      customerId: 'customer-1',
      reason: 'insufficient-credit',
    });
    await confirm(c); // late and illegal: a rejected order is never counted
    // A record that claims to be OrderPlaced but whose payload is not Avro of any schema.
    const poison = uniqueName('poison');
    const producer = service.client.producer();
    await producer.connect();
    await producer.send(Topics.orders, [
      {
        key: poison,
        value: Buffer.from('not avro'),
        headers: {
          [HEADERS.id]: randomUUID(),
          [HEADERS.type]: orderPlacedEvent.type,
          [HEADERS.source]: '/orderstream/orders',
          [HEADERS.subject]: poison,
          [HEADERS.time]: new Date().toISOString(),
          [HEADERS.specversion]: '1.0',
          [HEADERS.correlationId]: poison,
          [HEADERS.contentType]: 'application/avro',
        },
      },
    ]);
    await producer.disconnect();

    const minute = windowStartOf(Date.parse(confirmedA.envelope.time));
    const expectedRed = { sku: red, units: 3, revenueCents: 3_750, currency: 'EUR', orders: 1 };
    const expectedBlue = { sku: blue, units: 1, revenueCents: 500, currency: 'EUR', orders: 1 };
    // b's cancellation is red's last change: wait for the figure that includes it (a alone looks the same).
    const cancelledAt = Date.parse(cancelledB.envelope.time);
    const records = await service.readCommitted(Topics.salesAnalytics, async (rs) => {
      const figures = await latest(rs);
      return redUpdatedAt(figures, red) >= cancelledAt && figures.has(blue);
    });
    const figures = await latest(records);
    expect(figures.get(red)).toEqual({
      type: 'orderstream.salesAnalytics.SkuSalesChanged',
      data: { ...expectedRed, updatedAt: expect.any(Number) },
    });
    expect(figures.get(blue)?.data).toEqual({ ...expectedBlue, updatedAt: expect.any(Number) });
    // a and b were confirmed within a second: both in a's minute, unless the minute turned in between.
    const redMinutes = [...figures].filter(([k]) => k.startsWith(`${red}@`)).map(([, v]) => v.data);
    expect(redMinutes.reduce((sum: number, m) => sum + (m as { units: number }).units, 0)).toBe(3);
    expect(figures.get(skuMinuteKey(blue, minute))?.data).toEqual({
      sku: blue,
      windowStart: minute,
      units: 1,
      revenueCents: 500,
      currency: 'EUR',
    });

    const dead = await service.readCommitted('sales-analytics.dlt', (rs) => rs.length >= 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.key!.toString()).toBe(poison);
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.errorCode]!.toString()).toBe('MESSAGING_DECODE');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.reason]!.toString()).toBe('non-retriable');

    // A restart restores both stages' stores from their changelogs: the next confirmation adds to them.
    await service.stop();
    await service.restart();
    const d = placed([{ sku: red, quantity: 4, unitPriceCents: 1_250 }]);
    await service.publisher.publish(orderPlacedEvent, d);
    const confirmedD = Date.parse((await confirm(d)).envelope.time);
    const after = await service.readCommitted(
      Topics.salesAnalytics,
      async (rs) => redUpdatedAt(await latest(rs), red) >= confirmedD,
    );
    expect((await latest(after)).get(red)?.data).toEqual({
      ...expectedRed,
      units: 7,
      revenueCents: 8_750,
      orders: 2,
      updatedAt: expect.any(Number),
    });
  });

  it('answers /health/ready', async () => {
    const response = await fetch(`${service.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
  });
});
