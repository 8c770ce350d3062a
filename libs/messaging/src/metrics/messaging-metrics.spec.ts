import { Registry } from 'prom-client';
import type { InboundMessage } from '../core/handler';
import { DeferredDelivery } from '../core/deferred';
import { DecodeError } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import { MessagingMetrics } from './messaging-metrics';
import { metricsMiddleware } from './metrics.middleware';

function message(type?: string): InboundMessage {
  return {
    groupId: 'payments',
    attempt: 1,
    record: {
      topic: 'orders.events',
      partition: 0,
      offset: '7',
      key: Buffer.from('order-1'),
      value: Buffer.from([0]),
      headers: type ? { ce_type: Buffer.from(type) } : {},
      timestamp: '0',
    },
  };
}

async function sample(
  registry: Registry,
  name: string,
): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).map((v) => ({ labels: v.labels, value: v.value }));
}

describe('metricsMiddleware', () => {
  it('counts a handled message by group, topic and event type', async () => {
    const registry = new Registry();
    const handler = metricsMiddleware(new MessagingMetrics(registry))(async () => undefined);

    await handler(message('orderstream.orders.OrderPlaced'), { message: message(), logger: silentLogger });

    expect(await sample(registry, 'messaging_messages_handled_total')).toEqual([
      {
        labels: { group: 'payments', topic: 'orders.events', type: 'orderstream.orders.OrderPlaced' },
        value: 1,
      },
    ]);
  });

  it('counts a failure by error code and rethrows it', async () => {
    const registry = new Registry();
    const failure = new DecodeError('garbage');
    const handler = metricsMiddleware(new MessagingMetrics(registry))(async () => {
      throw failure;
    });

    await expect(handler(message(), { message: message(), logger: silentLogger })).rejects.toBe(failure);
    expect(await sample(registry, 'messaging_messages_failed_total')).toEqual([
      {
        labels: { group: 'payments', topic: 'orders.events', type: 'unknown', code: 'MESSAGING_DECODE' },
        value: 1,
      },
    ]);
  });

  it('does not count a retry-topic record that is not due yet', async () => {
    const registry = new Registry();
    const handler = metricsMiddleware(new MessagingMetrics(registry))(async () => {
      throw new DeferredDelivery(Date.now() + 1_000);
    });

    await expect(handler(message(), { message: message(), logger: silentLogger })).rejects.toBeInstanceOf(
      DeferredDelivery,
    );
    expect(await sample(registry, 'messaging_messages_failed_total')).toEqual([]);
    expect(await sample(registry, 'messaging_messages_handled_total')).toEqual([]);
  });
});
