import { z } from 'zod';

/** An order id in a path: a UUID, as orders issues them. */
export const orderIdSchema = z.uuid().meta({ description: 'The order id (a UUID).' });

/**
 * A customer id: bounded, of the characters orders and payments accept (letters, digits, `.`, `_`, `:`,
 * `-`); that keeps control characters out of SQL parameters too.
 */
export const customerIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'must contain only letters, digits, ".", "_", ":" and "-"' })
  .meta({ description: 'The customer id.', example: 'customer-1' });
