/**
 * The JSON representation of an order in every response of the API (and in replayed idempotent ones): a
 * zod schema, so the OpenAPI document describes exactly this, and the type the handlers return.
 */
import { z } from 'zod';
import { ORDER_STATUSES } from '../database';

export const orderLineViewSchema = z.object({
  sku: z.string(),
  quantity: z.int(),
  unitPriceCents: z.int().meta({ description: 'Minor units of the order currency' }),
});

export const statusChangeViewSchema = z.object({
  status: z.enum(ORDER_STATUSES),
  reason: z.string().nullable().meta({
    description: 'Why, for REJECTED and CANCELLED (`insufficient-credit`, `deadline`, …); null otherwise',
  }),
  at: z.iso.datetime(),
});

export const orderViewSchema = z
  .object({
    id: z.uuid(),
    customerId: z.string(),
    status: z.enum(ORDER_STATUSES),
    lines: z.array(orderLineViewSchema),
    totalCents: z.int().meta({ description: 'Minor units of `currency`' }),
    currency: z.string().meta({ example: 'EUR' }),
    placedAt: z.iso.datetime(),
    history: z
      .array(statusChangeViewSchema)
      .meta({ description: 'Oldest first; the first entry is always PENDING' }),
  })
  .meta({ id: 'Order' });

export type OrderLineView = z.output<typeof orderLineViewSchema>;
export type StatusChangeView = z.output<typeof statusChangeViewSchema>;
export type OrderView = z.output<typeof orderViewSchema>;
