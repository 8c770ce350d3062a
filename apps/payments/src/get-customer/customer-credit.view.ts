import { z } from 'zod';

/** `GET /customers/{customerId}`: a customer's credit. Amounts in minor units (cents). */
export const customerCreditViewSchema = z.object({
  customerId: z.string(),
  creditLimitCents: z.int().nonnegative(),
  reservedCents: z.int().nonnegative(),
  availableCents: z.int().nonnegative(),
  version: z
    .int()
    .nonnegative()
    .optional()
    .describe('With asOf: the version of the account stream the view was replayed to'),
});

export type CustomerCreditView = z.infer<typeof customerCreditViewSchema>;
