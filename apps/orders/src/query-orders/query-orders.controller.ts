import { Controller, Get, Param, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { parseOrderId } from '../http/order-id';
import { invalidRequest, orderNotFound } from '../http/order-problems';
import { OrderQueries } from './order.queries';
import type { OrderView } from './order.view';

@Controller('orders')
export class QueryOrdersController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: OrderQueries,
  ) {}

  /** The customer's orders, newest first, at most `OrderQueries.PAGE_SIZE`. */
  @Get()
  async byCustomer(@Query('customerId') customerId: unknown): Promise<{ orders: OrderView[] }> {
    if (typeof customerId !== 'string' || customerId.length === 0) {
      throw invalidRequest([{ field: 'query:customerId', message: 'required, once' }]);
    }
    return { orders: await this.queries.byCustomer(this.dataSource.manager, customerId) };
  }

  @Get(':id')
  async findOne(@Param('id') id: string): Promise<OrderView> {
    const orderId = parseOrderId(id);
    const view = await this.queries.findOne(this.dataSource.manager, orderId);
    if (!view) throw orderNotFound(orderId);
    return view;
  }
}
