import { z } from 'zod';

/** `GET /customers/{customerId}`: a customer's credit. Amounts in minor units (cents). */
export const customerCreditViewSchema = z.object({
  customerId: z.string(),
  creditLimitCents: z.int().nonnegative(),
  reservedCents: z.int().nonnegative(),
  availableCents: z.int().nonnegative(),
});

export type CustomerCreditView = z.infer<typeof customerCreditViewSchema>;
