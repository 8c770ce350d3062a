import { z } from 'zod';
import { PAYMENT_STATUSES } from '../payment/payment.state-machine';

/** `GET /payments/{orderId}`: the payment of one order. */
export const paymentViewSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  amountCents: z.int().nonnegative(),
  currency: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  reason: z.string().nullable().describe('Why it was declined or refunded; null while authorized'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export type PaymentView = z.infer<typeof paymentViewSchema>;
