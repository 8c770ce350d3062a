import { z } from 'zod';

/** A SKU in a path: bounded, upper-case letters, digits and dashes (`SKU-RED-MUG`). */
export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z0-9][A-Z0-9-]*$/, 'must be upper-case letters, digits and "-", e.g. SKU-RED-MUG');
