import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { customerIdSchema } from '../http/customer-id.schema';
import { orderIdParamsSchema } from '../http/order-id.schema';
import { orderNotFound } from '../http/order-problems';
import { OrderQueries } from './order.queries';
import { orderViewSchema, type OrderView } from './order.view';

export const listOrdersRoute = defineRoute({
  method: 'get',
  path: '/orders',
  operationId: 'listOrders',
  summary: `A customer's orders, newest first (at most ${OrderQueries.PAGE_SIZE})`,
  tags: ['orders'],
  request: { query: z.object({ customerId: customerIdSchema }) },
  responses: {
    200: { description: 'The orders', schema: z.object({ orders: z.array(orderViewSchema) }) },
  },
});

export const getOrderRoute = defineRoute({
  method: 'get',
  path: '/orders/{id}',
  operationId: 'getOrder',
  summary: 'An order with its status history',
  tags: ['orders'],
  request: { path: orderIdParamsSchema },
  responses: { 200: { description: 'The order', schema: orderViewSchema } },
  problems: [404],
});

@Controller()
export class QueryOrdersController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: OrderQueries,
  ) {}

  @Route(listOrdersRoute)
  async byCustomer(
    @ValidRequest() { query }: ValidatedRequest<typeof listOrdersRoute>,
  ): Promise<{ orders: OrderView[] }> {
    return { orders: await this.queries.byCustomer(this.dataSource.manager, query.customerId) };
  }

  @Route(getOrderRoute)
  async findOne(@ValidRequest() { path }: ValidatedRequest<typeof getOrderRoute>): Promise<OrderView> {
    const view = await this.queries.findOne(this.dataSource.manager, path.id);
    if (!view) throw orderNotFound(path.id);
    return view;
  }
}
