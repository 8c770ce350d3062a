/**
 * The body of `POST /orders` and its validation, in two steps with two answers:
 * - shape (types, required members, no unknown members): a malformed request, 400;
 * - business rules (quantities, line count, duplicate SKUs): a well-formed order we will not accept, 422.
 * Unknown SKUs are the third kind of 422, found when the lines are priced (see price-order.ts).
 * Pure: no I/O, so every rule has a unit test.
 */
import { z } from 'zod';
import type { FieldError } from '../http/order-problems';

/** More lines than a person orders by hand; a bigger order is a bulk import, not this API. */
export const MAX_LINES = 50;
/** Units of one SKU in one order; above it the quantity is a typo or an attack, not a purchase. */
export const MAX_QUANTITY = 1_000;
/** Longest Idempotency-Key we store: enough for a UUID or a client's composite key, bounded for the index. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export const placeOrderBodySchema = z.strictObject({
  customerId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^\S+$/, { error: 'must not contain whitespace' })
    .meta({ description: 'The customer placing the order.', example: 'customer-1' }),
  items: z
    .array(
      z.strictObject({
        sku: z.string().min(1).max(64).meta({ example: 'SKU-RED-MUG' }),
        quantity: z.int().meta({ description: `Units, 1 to ${MAX_QUANTITY}.`, example: 2 }),
      }),
    )
    .meta({ description: `1 to ${MAX_LINES} lines, each SKU at most once.` }),
});

export type PlaceOrderBody = z.output<typeof placeOrderBodySchema>;

export type Validated<T> = { ok: true; value: T } | { ok: false; status: 400 | 422; errors: FieldError[] };

/** Validates a parsed JSON body (anything) into a PlaceOrderBody. */
export function validatePlaceOrderBody(body: unknown): Validated<PlaceOrderBody> {
  const parsed = placeOrderBodySchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, status: 400, errors: parsed.error.issues.map(fieldErrorOf) };
  }
  const errors = businessRuleErrors(parsed.data);
  return errors.length > 0 ? { ok: false, status: 422, errors } : { ok: true, value: parsed.data };
}

/** The Idempotency-Key header, required. Express joins repeated headers with ", ", which we refuse too. */
export function validateIdempotencyKey(header: string | string[] | undefined): Validated<string> {
  const field = 'header:Idempotency-Key';
  if (header === undefined || header === '') {
    return { ok: false, status: 400, errors: [{ field, message: 'required' }] };
  }
  if (Array.isArray(header) || header.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(header)) {
    return {
      ok: false,
      status: 400,
      errors: [
        {
          field,
          message: `must be one value of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
        },
      ],
    };
  }
  return { ok: true, value: header };
}

function businessRuleErrors(body: PlaceOrderBody): FieldError[] {
  const errors: FieldError[] = [];
  if (body.items.length === 0) errors.push({ field: 'items', message: 'must have at least one line' });
  if (body.items.length > MAX_LINES) {
    errors.push({ field: 'items', message: `must have at most ${MAX_LINES} lines` });
  }
  const seen = new Set<string>();
  body.items.forEach((item, i) => {
    if (item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      errors.push({ field: `items[${i}].quantity`, message: `must be between 1 and ${MAX_QUANTITY}` });
    }
    if (seen.has(item.sku)) {
      errors.push({ field: `items[${i}].sku`, message: `${item.sku} appears more than once` });
    }
    seen.add(item.sku);
  });
  return errors;
}

function fieldErrorOf(issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.reduce<string>(
    (at, segment) =>
      typeof segment === 'number' ? `${at}[${segment}]` : at ? `${at}.${String(segment)}` : String(segment),
    '',
  );
  if (issue.code === 'unrecognized_keys') {
    return { field: path || '(body)', message: `unknown member(s): ${issue.keys.join(', ')}` };
  }
  return { field: path || '(body)', message: issue.message };
}
