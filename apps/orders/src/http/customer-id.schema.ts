import { z } from 'zod';

/**
 * A customer id, in a body or a query: bounded, and of the characters payments accepts in its
 * `/customers/{customerId}` path (letters, digits, `.`, `_`, `:`, `-`). That also keeps control characters
 * out: PostgreSQL cannot store a NUL, and a validated request never makes it try.
 */
export const customerIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'must contain only letters, digits, ".", "_", ":" and "-"' })
  .meta({ description: 'The customer placing the order.', example: 'customer-1' });
