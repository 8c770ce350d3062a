import { z } from 'zod';

/**
 * An id in a path: order ids (UUIDs) and customer ids alike. Bounded and restricted to URL-safe
 * characters, so a malformed id is a 400 naming the parameter rather than a lookup of garbage.
 */
export const identifierSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must contain only letters, digits, ".", "_", ":" and "-"');
