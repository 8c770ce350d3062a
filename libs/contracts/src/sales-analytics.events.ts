/**
 * Events of the salesAnalytics bounded context (the sales-analytics stream processor), on the compacted
 * `analytics.sku-sales` topic. Both carry state, not deltas: each record is a SKU's whole figure (or one
 * minute's), so a reader keeps the last record per key, and compaction keeps exactly that. They are written
 * in Kafka transactions: read them `read_committed` (docs/exactly-once.md).
 * Naming, money and timestamps: see docs/contracts.md. A new event needs no release to be added; once released
 * (libs/contracts/released/README.md), it may only change BACKWARD compatibly.
 */
import type { EventContract, RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.salesAnalytics.v1';

// ---------------------------------------------------------------------------------------------------------
// SkuSalesChanged

export const skuSalesChangedSchema = {
  type: 'record',
  name: 'SkuSalesChanged',
  namespace: NAMESPACE,
  doc: "A SKU's confirmed sales after a change: every line of every order confirmed and not cancelled since.",
  fields: [
    { name: 'sku', type: 'string', doc: 'The SKU; also the Kafka key.' },
    { name: 'units', type: 'long', doc: 'Units on confirmed orders.' },
    { name: 'revenueCents', type: 'long', doc: 'Sum of quantity x unitPriceCents over those lines.' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code of the SKU price, e.g. EUR.' },
    { name: 'orders', type: 'long', doc: 'Confirmed orders with a line of this SKU.' },
    {
      name: 'updatedAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'The time of the latest confirmation or cancellation counted, in milliseconds since the Unix epoch.',
    },
  ],
} as const satisfies RecordSchema;

export interface SkuSalesChanged {
  sku: string;
  units: number;
  revenueCents: number;
  currency: string;
  orders: number;
  updatedAt: number;
}

export const skuSalesChangedEvent: EventContract<SkuSalesChanged> = {
  type: 'orderstream.salesAnalytics.SkuSalesChanged',
  topic: Topics.salesAnalytics,
  schema: skuSalesChangedSchema,
  key: (event) => event.sku,
};

// ---------------------------------------------------------------------------------------------------------
// SkuMinuteSalesChanged

export const skuMinuteSalesChangedSchema = {
  type: 'record',
  name: 'SkuMinuteSalesChanged',
  namespace: NAMESPACE,
  doc: "A SKU's confirmed sales in one minute (a tumbling window by confirmation time) after a change.",
  fields: [
    { name: 'sku', type: 'string' },
    {
      name: 'windowStart',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'The first millisecond of the minute (UTC); the Kafka key is `<sku>@<windowStart as RFC 3339>`.',
    },
    { name: 'units', type: 'long', doc: 'Units on orders confirmed in this minute and not cancelled since.' },
    { name: 'revenueCents', type: 'long' },
    { name: 'currency', type: 'string' },
  ],
} as const satisfies RecordSchema;

export interface SkuMinuteSalesChanged {
  sku: string;
  windowStart: number;
  units: number;
  revenueCents: number;
  currency: string;
}

/** The Kafka key of a SKU's minute: `SKU-RED-MUG@2026-12-07T18:22:00.000Z`. */
export function skuMinuteKey(sku: string, windowStart: number): string {
  return `${sku}@${new Date(windowStart).toISOString()}`;
}

export const skuMinuteSalesChangedEvent: EventContract<SkuMinuteSalesChanged> = {
  type: 'orderstream.salesAnalytics.SkuMinuteSalesChanged',
  topic: Topics.salesAnalytics,
  schema: skuMinuteSalesChangedSchema,
  key: (event) => skuMinuteKey(event.sku, event.windowStart),
};

/** Every event of the salesAnalytics context, by record name. */
export const salesAnalyticsEvents = {
  SkuSalesChanged: skuSalesChangedEvent,
  SkuMinuteSalesChanged: skuMinuteSalesChangedEvent,
} as const;
