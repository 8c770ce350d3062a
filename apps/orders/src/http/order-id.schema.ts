import { z } from 'zod';

/** An order id in a path: a UUID, checked before it reaches a `uuid` column (where a bad one would be a 500). */
export const orderIdParamsSchema = z.object({
  id: z.uuid().meta({ description: 'The order id', example: '0b7c3a52-6f0e-4a39-9d43-0d9b2a6f1c11' }),
});
