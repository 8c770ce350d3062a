import { z } from 'zod';
import { ORDER_STATES, PAYMENT_STATES, RESERVATION_STATES } from '../projection/order-view';

export const timelineEntrySchema = z.object({
  eventId: z.string().describe('`ce_id` of the event'),
  type: z.string().describe('`ce_type`, e.g. orderstream.payments.PaymentAuthorized'),
  source: z.string().describe('`ce_source`: the service that published it'),
  time: z.string().describe('`ce_time` (RFC 3339)'),
  topic: z.string(),
  partition: z.int().nonnegative(),
  offset: z.string().describe('The record offset (a decimal string: offsets are 64-bit)'),
  causationId: z.string().nullable().describe('`causation-id`: the event whose handling produced this one'),
});

const orderLineSchema = z.object({
  sku: z.string(),
  quantity: z.int().positive(),
  unitPriceCents: z.int().nonnegative(),
});

/** The fields of an order view, without its timeline: what a list returns per order. */
export const orderViewSummarySchema = z.object({
  orderId: z.uuid(),
  customerId: z.string().nullable(),
  state: z
    .enum(ORDER_STATES)
    .nullable()
    .describe('null while only payments or inventory events about the order have been read'),
  stateReason: z.string().nullable().describe('Why it was rejected or cancelled'),
  totalCents: z.int().nonnegative().nullable(),
  currency: z.string().nullable(),
  lines: z.array(orderLineSchema),
  placedAt: z.string().nullable(),
  payment: z.object({
    state: z.enum(PAYMENT_STATES),
    reason: z.string().nullable().describe("The decline's or the refund's reason"),
    amountCents: z.int().nonnegative().nullable(),
  }),
  reservation: z.object({
    state: z.enum(RESERVATION_STATES),
    shortSku: z.string().nullable().describe('For a rejected reservation: the SKU found short'),
  }),
  eventCount: z.int().nonnegative(),
  lastEventAt: z.string().nullable(),
});

/** `GET /order-views/{orderId}`: the order as the read model sees it, with every event read about it. */
export const orderViewSchema = orderViewSummarySchema.extend({ timeline: z.array(timelineEntrySchema) });

export type OrderViewSummaryDto = z.infer<typeof orderViewSummarySchema>;
export type OrderViewDto = z.infer<typeof orderViewSchema>;
