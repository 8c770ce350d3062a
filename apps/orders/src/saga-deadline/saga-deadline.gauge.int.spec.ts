/**
 * orders_sagas_past_deadline against real PostgreSQL: with the poller asleep (a poll interval of an hour),
 * an order left PENDING past SAGA_DEADLINE_MS is counted at the next scrape, which is what the
 * SagasPastDeadline alert watches (ops/prometheus/alerts.yml).
 */
import { randomUUID } from 'node:crypto';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import { waitFor } from '@orderstream/testing';
import { startOrders } from '../test/service-under-test';

describe('orders_sagas_past_deadline', () => {
  let orders: ServiceUnderTest;

  beforeAll(async () => {
    orders = await startOrders({ env: { SAGA_DEADLINE_MS: '1000', SAGA_DEADLINE_POLL_MS: '3600000' } });
  });
  afterAll(() => orders?.close());

  const pastDeadline = async (): Promise<number | undefined> => {
    const text = await (await fetch(`${orders.baseUrl}/metrics`)).text();
    const match = /^orders_sagas_past_deadline\{[^}]*mode="choreography"[^}]*\} (\d+)$/m.exec(text);
    return match ? Number(match[1]) : undefined;
  };

  it('counts an order the poller has not cancelled past its deadline', async () => {
    expect(await pastDeadline()).toBe(0);
    const placed = await request(orders.baseUrl, 'POST', '/orders', {
      body: { customerId: `customer-${randomUUID()}`, items: [{ sku: 'SKU-POSTER', quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);
    await waitFor(async () => (await pastDeadline()) === 1, {
      description: 'the order to be counted past its deadline',
      timeoutMs: 15_000,
    });
  });
});
