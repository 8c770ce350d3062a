import type { ServerResponse } from 'node:http';
import { Controller, Res } from '@nestjs/common';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import { z } from 'zod';
import { unprocessableOrder } from '../http/order-problems';
import { orderViewSchema, type OrderView } from '../query-orders/order.view';
import { placeOrderBodySchema, placeOrderHeadersSchema, repeatedSkuErrors } from './place-order.request';
import { PlaceOrderUseCase } from './place-order.use-case';

export const placeOrderRoute = defineRoute({
  method: 'post',
  path: '/orders',
  operationId: 'placeOrder',
  summary: 'Place an order',
  description:
    'The order is PENDING until payments and inventory have answered (the saga). 422 for a well-formed ' +
    "order we will not take: an unknown or repeated SKU, a SKU that orders' replica of the stock levels " +
    'shows withdrawn or out of stock (STOCK_UNAVAILABLE), or an Idempotency-Key used with another body.',
  tags: ['orders'],
  request: { headers: placeOrderHeadersSchema, body: placeOrderBodySchema },
  responses: {
    201: {
      description: 'The order, PENDING; the same response again for a repeat with the same key and body',
      schema: orderViewSchema,
      headers: { Location: z.string().meta({ description: 'The order: `/orders/{id}`' }) },
      links: {
        getOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/id' } },
        cancelOrder: { operationId: 'cancelOrder', parameters: { id: '$response.body#/id' } },
      },
    },
  },
  problems: [422],
});

@Controller()
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderUseCase) {}

  /** Validation happens before any transaction: a malformed request never touches the database. */
  @Route(placeOrderRoute)
  async place(
    @ValidRequest() { headers, body }: ValidatedRequest<typeof placeOrderRoute>,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<OrderView> {
    const repeated = repeatedSkuErrors(body.items);
    if (repeated.length > 0) throw unprocessableOrder(repeated);
    const result = await this.placeOrder.place(headers['Idempotency-Key'], body);
    // Always 201, first time or replayed: only successful responses are stored (see PlaceOrderUseCase).
    response.setHeader('Location', `/orders/${result.body.id}`);
    return result.body;
  }
}
