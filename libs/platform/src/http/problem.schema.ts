import { z } from 'zod';

/**
 * The body of every error response (RFC 9457), as the OpenAPI document describes it under
 * `application/problem+json`. Extension members (`orderId`, `sku`, …) are allowed: an application
 * error's details become members of its problem.
 */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ example: 'urn:orderstream:problem:invalid-request' }),
    title: z.string(),
    status: z.int().min(100).max(599),
    detail: z.string().optional(),
    instance: z.string().optional().meta({ description: 'The path of the request (never its query).' }),
    requestId: z.string().optional().meta({ description: 'Also in `x-request-id`: quote it in reports.' }),
    errors: z
      .array(z.looseObject({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Every invalid member of a 400 or 422, by where it is and why.' }),
  })
  .meta({ id: 'Problem', description: 'Problem details (RFC 9457)' });
