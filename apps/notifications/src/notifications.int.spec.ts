/**
 * notifications in-process against real Kafka, registry and PostgreSQL, with a stand-in for orders' GET
 * /orders/{id} on a local port: a thin terminal event becomes one notification (row + NotificationSent in the
 * outbox) with the details from the callback; a redelivery sends nothing twice; while orders is down the
 * message takes the group's retry topic, never the dead-letter topic, and is sent once orders is back; an
 * order orders does not know is dead-lettered at once.
 */
import { ordersEvents } from '@orderstream/contracts';
import { namespacedKafkaClient } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { testInfrastructure, waitFor } from '@orderstream/testing';
import { randomUUID } from 'node:crypto';
import { OrdersStub } from './test/orders-stub';
import { startNotifications } from './test/service-under-test';

describe('notifications service', () => {
  const orders = new OrdersStub();
  let service: ServiceUnderTest;

  beforeAll(async () => {
    await orders.up();
    service = await startNotifications({ ORDERS_URL: orders.url, ORDERS_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    await service?.close();
    await orders.down();
  });

  const order = (customerId = `customer-${randomUUID()}`) => {
    const details = {
      id: randomUUID(),
      customerId,
      status: 'CONFIRMED',
      lines: [{ sku: 'SKU-RED', quantity: 2, unitPriceCents: 1_250 }],
      totalCents: 2_500,
      currency: 'EUR',
    };
    orders.add(details);
    return details;
  };
  const rows = (orderId: string) =>
    service.dataSource.query(
      `SELECT order_state, customer_id, channel, message, instance_id FROM notifications WHERE order_id = $1`,
      [orderId],
    ) as Promise<Record<string, string>[]>;

  /** End offsets summed over a topic of the service's namespace. */
  async function recordsOn(topic: string): Promise<number> {
    const admin = namespacedKafkaClient(
      createKafkaJsClient({
        brokers: testInfrastructure().kafkaBrokers,
        clientId: 'notifications-test-admin',
      }),
      service.namespace,
    ).admin();
    await admin.connect();
    try {
      return (await admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('tells the customer once, with the details orders gives back, and says so with NotificationSent', async () => {
    const confirmed = order();
    const published = await service.publisher.publish(
      ordersEvents.OrderConfirmed,
      { orderId: confirmed.id, customerId: confirmed.customerId },
      { source: '/orderstream/orders' },
    );
    await waitFor(async () => (await service.handledCount([published.envelope.id])) === 1, {
      description: 'OrderConfirmed handled',
    });
    expect(await rows(confirmed.id)).toEqual([
      {
        order_state: 'CONFIRMED',
        customer_id: confirmed.customerId,
        channel: 'email',
        message: `Your order ${confirmed.id} is confirmed: 2 × SKU-RED, 25.00 EUR.`,
        instance_id: 'notifications-test',
      },
    ]);
    const outbox = await service.outboxEntriesOf(confirmed.id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      topic: 'notifications.events',
      key: confirmed.id,
      type: 'orderstream.notifications.NotificationSent',
      aggregateType: 'Notification',
      headers: { 'causation-id': published.envelope.id },
      data: {
        orderId: confirmed.id,
        customerId: confirmed.customerId,
        orderState: 'CONFIRMED',
        reason: null,
        channel: 'email',
        totalCents: 2_500,
        currency: 'EUR',
      },
    });
    expect(orders.calls.get(confirmed.id)).toBe(1);

    // The same state again, as another event (a replay, a producer's retry with a new id): nothing more,
    // and no callback either.
    const again = await service.publisher.publish(
      ordersEvents.OrderConfirmed,
      { orderId: confirmed.id, customerId: confirmed.customerId },
      { source: '/orderstream/orders' },
    );
    await waitFor(async () => (await service.handledCount([again.envelope.id])) === 1, {
      description: 'the second OrderConfirmed handled',
    });
    expect(await rows(confirmed.id)).toHaveLength(1);
    expect(await service.outboxEntriesOf(confirmed.id)).toHaveLength(1);
    expect(orders.calls.get(confirmed.id)).toBe(1);

    const listed = await request(service.baseUrl, 'GET', `/orders/${confirmed.id}/notifications`);
    expect(listed).toMatchObject({
      status: 200,
      body: { items: [{ orderState: 'CONFIRMED', instanceId: 'notifications-test' }] },
    });
  });

  it('a rejection and a cancellation carry their reason', async () => {
    const rejected = order();
    const cancelled = order();
    const ids = [
      (
        await service.publisher.publish(
          ordersEvents.OrderRejected,
          { orderId: rejected.id, customerId: rejected.customerId, reason: 'insufficient-credit' },
          { source: '/orderstream/orders' },
        )
      ).envelope.id,
      (
        await service.publisher.publish(
          ordersEvents.OrderCancelled,
          { orderId: cancelled.id, customerId: cancelled.customerId, reason: 'out-of-stock' },
          { source: '/orderstream/orders' },
        )
      ).envelope.id,
    ];
    await waitFor(async () => (await service.handledCount(ids)) === 2, { description: 'both handled' });
    expect((await rows(rejected.id)).map((r) => [r['order_state'], r['message']])).toEqual([
      [
        'REJECTED',
        `Your order ${rejected.id} (2 × SKU-RED, 25.00 EUR) was not accepted: insufficient-credit.`,
      ],
    ]);
    expect((await rows(cancelled.id)).map((r) => r['order_state'])).toEqual(['CANCELLED']);
  });

  it('while orders is down the message takes the retry topic, and is sent once orders is back', async () => {
    const confirmed = order();
    const dltBefore = await recordsOn('notifications.dlt');
    const retryBefore = await recordsOn('notifications.retry.1');
    await orders.down();
    try {
      const published = await service.publisher.publish(
        ordersEvents.OrderConfirmed,
        { orderId: confirmed.id, customerId: confirmed.customerId },
        { source: '/orderstream/orders' },
      );
      await waitFor(async () => (await recordsOn('notifications.retry.1')) === retryBefore + 1, {
        description: 'the message forwarded to notifications.retry.1',
      });
      expect(await rows(confirmed.id)).toEqual([]);
      await orders.up();
      await waitFor(async () => (await service.handledCount([published.envelope.id])) === 1, {
        description: 'the message handled from the retry topic',
        timeoutMs: 30_000,
      });
      expect((await rows(confirmed.id)).map((r) => r['order_state'])).toEqual(['CONFIRMED']);
      expect(await recordsOn('notifications.dlt')).toBe(dltBefore);
    } finally {
      await orders.up();
    }
  });

  it('an order orders does not know goes to the dead-letter topic at once', async () => {
    const unknown = randomUUID();
    const dltBefore = await recordsOn('notifications.dlt');
    const retryBefore = await recordsOn('notifications.retry.1');
    await service.publisher.publish(
      ordersEvents.OrderConfirmed,
      { orderId: unknown, customerId: 'customer-1' },
      { source: '/orderstream/orders' },
    );
    await waitFor(async () => (await recordsOn('notifications.dlt')) === dltBefore + 1, {
      description: 'the message dead-lettered',
    });
    expect(await recordsOn('notifications.retry.1')).toBe(retryBefore);
    expect(orders.calls.get(unknown)).toBe(1);
    expect(await rows(unknown)).toEqual([]);
  });
});
