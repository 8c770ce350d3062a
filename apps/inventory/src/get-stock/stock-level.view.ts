import { z } from 'zod';

/** The stock of one SKU: units free to reserve, and units held by orders. */
export const stockLevelViewSchema = z.object({
  sku: z.string(),
  available: z.int().nonnegative(),
  reserved: z.int().nonnegative(),
});

export type StockLevelView = z.infer<typeof stockLevelViewSchema>;
