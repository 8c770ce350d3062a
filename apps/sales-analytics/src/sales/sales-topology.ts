/**
 * The processor's two stages as stream sources (libs/messaging's StreamProcessor runs them):
 *
 *   orders.events ──(by order)──▶ confirmed-lines ──▶ <group>-sku-deltas-repartition ──(by SKU)──▶ sku-sales
 *                                  store: orders                                     stores: sku-totals,
 *                                                                                            sku-minutes
 *                                                                                               │
 *                                                                   analytics.sku-sales ◀───────┘
 *
 * orders.events is keyed by order id, so one SKU's orders are spread over every partition; the first stage
 * re-keys each order's effect by SKU onto a repartition topic, and the second holds each SKU's totals whole
 * (Kafka Streams' shape for a re-keyed aggregation). Each stage commits its output with its input offsets in
 * one transaction, so the pipeline as a whole is exactly-once.
 */
import {
  orderCancelledEvent,
  orderConfirmedEvent,
  orderPlacedEvent,
  orderRejectedEvent,
  skuMinuteSalesChangedEvent,
  skuSalesChangedEvent,
  Topics,
  type OrderPlaced,
} from '@orderstream/contracts';
import {
  DecodeError,
  EventRegistry,
  HEADERS,
  type ConsumedRecord,
  type EnvelopeCodec,
  type StreamSource,
  type TaskContext,
} from '@orderstream/messaging';
import { stepOrder, type OrderEvent, type OrderProgress, type SkuDelta } from './confirmed-lines';
import { addToMinute, addToTotals, type SkuMinute, type SkuTotals } from './sku-sales';

/** The order events the first stage reads; any other type on orders.events is skipped. */
export const ORDER_EVENTS = [orderPlacedEvent, orderConfirmedEvent, orderRejectedEvent, orderCancelledEvent];

export const STORES = { orders: 'orders', totals: 'sku-totals', minutes: 'sku-minutes' } as const;

export function repartitionTopicOf(applicationId: string): string {
  return `${applicationId}-sku-deltas-repartition`;
}

export interface SalesTopologyOptions {
  applicationId: string;
  codec: EnvelopeCodec;
  /** `ce_source` of the events it writes. */
  source: string;
  /** Counts what the first stage could not use (a confirmation whose OrderPlaced it never read, …). */
  onUnmatched?(orderId: string, type: string): void;
  onSkipped?(type: string): void;
}

const KIND: Record<string, OrderEvent['kind']> = {
  [orderPlacedEvent.type]: 'placed',
  [orderConfirmedEvent.type]: 'confirmed',
  [orderRejectedEvent.type]: 'rejected',
  [orderCancelledEvent.type]: 'cancelled',
};

export function salesTopology(options: SalesTopologyOptions): StreamSource[] {
  const { applicationId, codec } = options;
  const registry = new EventRegistry(ORDER_EVENTS as never[]);
  const repartition = repartitionTopicOf(applicationId);

  const confirmedLines: StreamSource = {
    topic: Topics.orders,
    stores: [STORES.orders],
    async process(record: ConsumedRecord, context: TaskContext) {
      const type = record.headers[HEADERS.type]?.toString('utf8') ?? '';
      const kind = KIND[type];
      if (!kind) {
        options.onSkipped?.(type);
        return;
      }
      // A record that does not decode is a DecodeError or SchemaError (not retriable): dead-lettered.
      const envelope = await codec.decode(record, registry);
      const orderId = envelope.subject;
      const at = Date.parse(envelope.time);
      const event: OrderEvent =
        kind === 'placed' ? { kind, orderId, ...pickOrder(envelope.data as OrderPlaced) } : { kind, orderId };
      const orders = context.store<OrderProgress>(STORES.orders);
      const step = stepOrder(orders.get(orderId), event, at);
      if (step.unmatched) options.onUnmatched?.(orderId, type);
      if (step.next) orders.put(orderId, step.next);
      for (const delta of step.deltas)
        context.forward(repartition, { key: delta.sku, value: Buffer.from(JSON.stringify(delta)) });
    },
  };

  const skuSales: StreamSource = {
    topic: repartition,
    stores: [STORES.totals, STORES.minutes],
    process(record: ConsumedRecord, context: TaskContext) {
      const delta = parseDelta(record);
      const totals = context.store<SkuTotals>(STORES.totals);
      const minutes = context.store<SkuMinute>(STORES.minutes);
      totals.put(delta.sku, addToTotals(totals.get(delta.sku), delta));
      const minute = minuteKey(delta.sku, delta.windowStart);
      minutes.put(minute, addToMinute(minutes.get(minute), delta));
    },
    // One output record per SKU and per SKU-minute the transaction changed: the latest figure.
    async flush(context: TaskContext) {
      const totals = context.store<SkuTotals>(STORES.totals);
      const minutes = context.store<SkuMinute>(STORES.minutes);
      for (const sku of totals.pendingKeys()) {
        const t = totals.get(sku);
        if (!t) continue;
        const record = await codec.encode(skuSalesChangedEvent, { sku, ...t }, { source: options.source });
        context.forward(Topics.salesAnalytics, record);
      }
      for (const key of minutes.pendingKeys()) {
        const m = minutes.get(key);
        if (!m) continue;
        const { sku, windowStart } = parseMinuteKey(key);
        const record = await codec.encode(
          skuMinuteSalesChangedEvent,
          { sku, windowStart, ...m },
          { source: options.source },
        );
        context.forward(Topics.salesAnalytics, record);
      }
    },
  };
  return [confirmedLines, skuSales];
}

/** A repartition record is ours, but a bad one must still go to the dead-letter topic, not be retried. */
function parseDelta(record: ConsumedRecord): SkuDelta {
  try {
    const delta = JSON.parse(record.value?.toString('utf8') ?? '') as SkuDelta;
    if (typeof delta.sku === 'string' && Number.isFinite(delta.units) && Number.isFinite(delta.windowStart))
      return delta;
  } catch {
    // reported below
  }
  throw new DecodeError(`Record ${record.topic}/${record.partition}@${record.offset} is not a SKU delta`);
}

function pickOrder(placed: OrderPlaced): Pick<Extract<OrderEvent, { kind: 'placed' }>, 'currency' | 'lines'> {
  return { currency: placed.currency, lines: placed.lines };
}

/** The minutes store's key: the SKU and the window's start, `<sku>@<epoch ms>`. */
function minuteKey(sku: string, windowStart: number): string {
  return `${sku}@${windowStart}`;
}

function parseMinuteKey(key: string): { sku: string; windowStart: number } {
  const at = key.lastIndexOf('@');
  return { sku: key.slice(0, at), windowStart: Number(key.slice(at + 1)) };
}
