/**
 * The request of `POST /orders`: its schemas (the OpenAPI document shows exactly these, and the platform
 * validates with them: breaking one is a 400 naming the field) and the one rule no schema can state, a SKU
 * repeated across lines (a 422). Unknown SKUs are the other 422, found when the lines are priced (see
 * price-order.ts). Pure: no I/O, so every rule has a unit test.
 */
import type { FieldError } from '@orderstream/platform';
import { z } from 'zod';
import { customerIdSchema } from '../http/customer-id.schema';

/** More lines than a person orders by hand; a bigger order is a bulk import, not this API. */
export const MAX_LINES = 50;
/** Units of one SKU in one order; above it the quantity is a typo or an attack, not a purchase. */
export const MAX_QUANTITY = 1_000;
/** Longest Idempotency-Key we store: enough for a UUID or a client's composite key, bounded for the index. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** A catalog SKU, as inventory names them (`SKU-RED-MUG`): upper-case letters, digits and dashes. */
export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z0-9][A-Z0-9-]*$/, { error: 'must be upper-case letters, digits and "-", e.g. SKU-RED-MUG' })
  .meta({ example: 'SKU-RED-MUG' });

export const placeOrderBodySchema = z.strictObject({
  customerId: customerIdSchema,
  items: z
    .array(
      z.strictObject({
        sku: skuSchema,
        quantity: z
          .int()
          .min(1)
          .max(MAX_QUANTITY)
          .meta({ description: `Units, 1 to ${MAX_QUANTITY}.`, example: 2 }),
      }),
    )
    .min(1)
    .max(MAX_LINES)
    .meta({ description: `1 to ${MAX_LINES} lines, each SKU at most once.` }),
});

export type PlaceOrderBody = z.output<typeof placeOrderBodySchema>;

/**
 * `Idempotency-Key`, required: one value of visible ASCII. Express joins a repeated header with ", ",
 * which the pattern refuses too.
 */
export const placeOrderHeadersSchema = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .regex(/^[\x21-\x7e]+$/, { error: 'must be one value of visible ASCII characters' })
    .meta({
      description:
        'Repeating a request with the same key returns the first response; a different body gets 422.',
      example: '0b7c3a52-6f0e-4a39-9d43-0d9b2a6f1c11',
    }),
});

/** 422 material: every line whose SKU an earlier line already has. */
export function repeatedSkuErrors(items: PlaceOrderBody['items']): FieldError[] {
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    const repeated = seen.has(item.sku);
    seen.add(item.sku);
    return repeated ? [{ field: `items[${i}].sku`, message: `${item.sku} appears more than once` }] : [];
  });
}
