import { Registry } from 'prom-client';
import type { InboundMessage, MessageHandler } from '../core/handler';
import { DeferredDelivery } from '../core/deferred';
import { DecodeError, HandlerError } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import { MessagingMetrics } from './messaging-metrics';
import { metricsMiddleware } from './metrics.middleware';

const PLACED = 'orderstream.orders.OrderPlaced';

function message(offset = '7', type: string | undefined = PLACED): InboundMessage {
  return {
    groupId: 'payments',
    attempt: 1,
    record: {
      topic: 'orders.events',
      partition: 0,
      offset,
      key: Buffer.from('order-1'),
      value: Buffer.from([0]),
      headers: type ? { ce_type: Buffer.from(type) } : {},
      timestamp: '0',
    },
  };
}

/** Every counter of the registry with its samples, `{ name: [{ labels, value }] }`, empty ones left out. */
async function counters(registry: Registry): Promise<Record<string, { labels: object; value: number }[]>> {
  const result: Record<string, { labels: object; value: number }[]> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'counter' || metric.values.length === 0) continue;
    result[metric.name] = metric.values.map((v) => ({ labels: v.labels, value: v.value }));
  }
  return result;
}

async function durationCount(registry: Registry): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'messaging_handler_duration_seconds',
  );
  return (metric?.values ?? [])
    .filter((v) => (v as { metricName?: string }).metricName === 'messaging_handler_duration_seconds_count')
    .reduce((sum, v) => sum + v.value, 0);
}

const labels = { group: 'payments', topic: 'orders.events', type: PLACED };

describe('MessagingMetrics with metricsMiddleware', () => {
  let registry: Registry;
  let metrics: MessagingMetrics;
  const run = (inner: MessageHandler, m: InboundMessage = message()) =>
    metricsMiddleware(metrics)(inner)(m, { message: m, logger: silentLogger });

  beforeEach(() => {
    registry = new Registry();
    metrics = new MessagingMetrics(registry);
  });

  it('counts a delivery whose pipeline returns as succeeded, and times it', async () => {
    await run(async () => undefined);

    expect(await counters(registry)).toEqual({
      messaging_messages_succeeded_total: [{ labels, value: 1 }],
    });
    expect(await durationCount(registry)).toBe(1);
  });

  it('labels the outcome with the decoded event type, known only once decoding ran', async () => {
    const undecoded = message('7', undefined);
    await run(async (m) => {
      m.envelope = { type: PLACED } as InboundMessage['envelope'];
    }, undecoded);

    expect(await counters(registry)).toEqual({
      messaging_messages_succeeded_total: [{ labels, value: 1 }],
    });
  });

  it('counts a message parked in a retry topic as retried only, by the failure code', async () => {
    await run(async (m) => metrics.retried(m, 'HANDLER_FAILED'));

    expect(await counters(registry)).toEqual({
      messaging_messages_retried_total: [{ labels: { ...labels, code: 'HANDLER_FAILED' }, value: 1 }],
    });
    expect(await durationCount(registry)).toBe(1);
  });

  it('counts a dead-lettered message as dead-lettered only, by code and reason', async () => {
    await run(async (m) => metrics.deadLettered(m, 'MESSAGING_SCHEMA', 'non-retriable'));

    expect(await counters(registry)).toEqual({
      messaging_messages_dead_lettered_total: [
        { labels: { ...labels, code: 'MESSAGING_SCHEMA', reason: 'non-retriable' }, value: 1 },
      ],
    });
  });

  it('counts a duplicate the inbox skipped as deduplicated only', async () => {
    await run(async (m) =>
      metrics.deduplicated({
        groupId: m.groupId,
        topic: m.record.topic,
        partition: m.record.partition,
        offset: m.record.offset,
        eventType: PLACED,
      }),
    );

    expect(await counters(registry)).toEqual({
      messaging_messages_deduplicated_total: [{ labels, value: 1 }],
    });
  });

  it('counts an error that escapes as errored by its code, and rethrows it', async () => {
    const failure = new DecodeError('garbage');

    await expect(
      run(async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await counters(registry)).toEqual({
      messaging_messages_errored_total: [{ labels: { ...labels, code: 'MESSAGING_DECODE' }, value: 1 }],
    });
  });

  it('counts nothing for a retry-topic record that is not due yet', async () => {
    await expect(
      run(async () => {
        throw new DeferredDelivery(Date.now() + 1_000);
      }),
    ).rejects.toBeInstanceOf(DeferredDelivery);

    expect(await counters(registry)).toEqual({});
    expect(await durationCount(registry)).toBe(0);
  });

  it('counts the first outcome of a delivery only', async () => {
    await run(async (m) => {
      metrics.retried(m, 'HANDLER_FAILED');
      metrics.deadLettered(m, 'HANDLER_FAILED', 'retries-exhausted');
    });

    expect(await counters(registry)).toEqual({
      messaging_messages_retried_total: [{ labels: { ...labels, code: 'HANDLER_FAILED' }, value: 1 }],
    });
  });

  it('keeps the outcomes of deliveries in flight at once apart', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = run(async (m) => {
      await held;
      metrics.retried(m, 'HANDLER_FAILED');
    }, message('1'));
    const second = run(async () => undefined, message('2'));
    await second;
    release();
    await first;

    expect(await counters(registry)).toEqual({
      messaging_messages_retried_total: [{ labels: { ...labels, code: 'HANDLER_FAILED' }, value: 1 }],
      messaging_messages_succeeded_total: [{ labels, value: 1 }],
    });
  });

  it('counts an outcome reported outside any measurement on its own', async () => {
    metrics.retried(message(), 'HANDLER_FAILED');
    metrics.deadLettered(message(), 'HANDLER_FAILED', 'retries-exhausted');

    expect(await counters(registry)).toEqual({
      messaging_messages_retried_total: [{ labels: { ...labels, code: 'HANDLER_FAILED' }, value: 1 }],
      messaging_messages_dead_lettered_total: [
        { labels: { ...labels, code: 'HANDLER_FAILED', reason: 'retries-exhausted' }, value: 1 },
      ],
    });
  });

  it('counts skipped deliveries by reason', async () => {
    metrics.skipped(message('1', 'orderstream.orders.OrderShipped'), 'unrouted');

    expect(await counters(registry)).toEqual({
      messaging_messages_skipped_total: [
        { labels: { ...labels, type: 'orderstream.orders.OrderShipped', reason: 'unrouted' }, value: 1 },
      ],
    });
  });

  it('counts every failed handler attempt by code, apart from the outcome', async () => {
    await run(async (m) => {
      metrics.handlerFailed(m, new HandlerError('first try'));
      metrics.handlerFailed(m, new Error('second try'));
    });

    expect(await counters(registry)).toEqual({
      messaging_handler_failures_total: [
        { labels: { ...labels, code: 'HANDLER_FAILED' }, value: 1 },
        { labels: { ...labels, code: 'UNCLASSIFIED' }, value: 1 },
      ],
      messaging_messages_succeeded_total: [{ labels, value: 1 }],
    });
  });
});
