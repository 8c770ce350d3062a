import { z } from 'zod';

/** `GET /order-records/{orderId}`: what order-history keeps of one order. Amounts in minor units (cents). */
export const orderRecordViewSchema = z.object({
  orderId: z.uuid(),
  customerId: z.string(),
  itemCount: z.int().nonnegative().describe('Units ordered, over every line'),
  totalCents: z.int().nonnegative(),
  currency: z.string(),
  recordedAt: z.iso.datetime(),
});

export type OrderRecordView = z.infer<typeof orderRecordViewSchema>;
