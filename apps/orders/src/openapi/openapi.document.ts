/**
 * The orders API as OpenAPI 3.1. The request body's schema is generated from the same zod schema that
 * validates it (`z.toJSONSchema`), so the document cannot drift from the validation.
 *
 * Written as a document rather than scanned from decorators, so the zod schema stays the single source;
 * main.ts serves it with Swagger UI at /docs (and the JSON at /docs-json) through `SwaggerModule.setup`.
 */
import { z } from 'zod';
import { ORDER_STATUSES } from '../database';
import { placeOrderBodySchema } from '../place-order/place-order.request';

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const order = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } };
const orderIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'orderstream orders',
      version: '1.0.0',
      description:
        'Places orders and reports their progress through the choreographed saga (payments, inventory).',
    },
    paths: {
      '/orders': {
        post: {
          summary: 'Place an order',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description:
                'Repeating a request with the same key returns the first response; a different body gets 422.',
              schema: { type: 'string', minLength: 1, maxLength: 200 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: z.toJSONSchema(placeOrderBodySchema, { target: 'openapi-3.0' }) },
            },
          },
          responses: {
            201: { description: 'The order, PENDING', ...order },
            400: problem,
            413: problem,
            422: problem,
          },
        },
        get: {
          summary: "A customer's orders, newest first (at most 100)",
          parameters: [{ name: 'customerId', in: 'query', required: true, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'The orders',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { orders: { type: 'array', items: { $ref: '#/components/schemas/Order' } } },
                  },
                },
              },
            },
            400: problem,
          },
        },
      },
      '/orders/{id}': {
        get: {
          summary: 'An order with its status history',
          parameters: [orderIdParameter],
          responses: { 200: { description: 'The order', ...order }, 400: problem, 404: problem },
        },
      },
      '/orders/{id}/cancel': {
        post: {
          summary: 'Cancel a confirmed order (stock is released, the payment refunded)',
          parameters: [orderIdParameter],
          responses: {
            200: { description: 'The order, CANCELLED', ...order },
            400: problem,
            404: problem,
            409: problem,
          },
        },
      },
    },
    components: {
      schemas: {
        Order: {
          type: 'object',
          required: ['id', 'customerId', 'status', 'lines', 'totalCents', 'currency', 'placedAt', 'history'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            customerId: { type: 'string' },
            status: { type: 'string', enum: [...ORDER_STATUSES] },
            lines: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  sku: { type: 'string' },
                  quantity: { type: 'integer' },
                  unitPriceCents: { type: 'integer' },
                },
              },
            },
            totalCents: { type: 'integer', description: 'Minor units of `currency`' },
            currency: { type: 'string', example: 'EUR' },
            placedAt: { type: 'string', format: 'date-time' },
            history: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  status: { type: 'string', enum: [...ORDER_STATUSES] },
                  reason: { type: ['string', 'null'] },
                  at: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
