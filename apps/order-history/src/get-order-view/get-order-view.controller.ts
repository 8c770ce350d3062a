import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { orderIdSchema } from '../http/identifiers.schema';
import { findOrderView } from './order-view.queries';
import { orderViewSchema, type OrderViewDto } from './order-view.view';

/** The route's contract: it validates the request and is what the OpenAPI document says of the route. */
export const getOrderViewRoute = defineRoute({
  method: 'get',
  path: '/order-views/{orderId}',
  operationId: 'getOrderView',
  summary: 'An order as the read model sees it: states, totals, lines and its full timeline',
  tags: ['order-views'],
  request: { path: z.object({ orderId: orderIdSchema }) },
  responses: { 200: { description: 'The order view', schema: orderViewSchema } },
  problems: [404],
});

@Controller()
export class GetOrderViewController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getOrderViewRoute)
  async get(@ValidRequest() { path }: ValidatedRequest<typeof getOrderViewRoute>): Promise<OrderViewDto> {
    // One transaction: the view and its timeline come from one generation even across a hand-over (the
    // hand-over recreates the views in the order this reads them, and waits for the locks this holds).
    const view = await this.dataSource.transaction((manager) => findOrderView(manager, path.orderId));
    if (!view) {
      throw new NotFoundError(`No event about order ${path.orderId} has been read`, {
        code: 'ORDER_VIEW_NOT_FOUND',
        details: { orderId: path.orderId },
      });
    }
    return view;
  }
}
