import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { OrderRecordEntity } from '../database/order-record.entity';
import { orderRecordViewSchema, type OrderRecordView } from './order-record.view';

/** The route's contract: it validates the request and is what the OpenAPI document says of the route. */
export const getOrderRecordRoute = defineRoute({
  method: 'get',
  path: '/order-records/{orderId}',
  operationId: 'getOrderRecord',
  summary: 'What order-history recorded of an order',
  tags: ['order-records'],
  request: { path: z.object({ orderId: z.uuid().meta({ description: 'The order id (a UUID).' }) }) },
  responses: { 200: { description: 'The order record', schema: orderRecordViewSchema } },
  problems: [404],
});

@Controller()
export class GetOrderRecordController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getOrderRecordRoute)
  async get(
    @ValidRequest() { path }: ValidatedRequest<typeof getOrderRecordRoute>,
  ): Promise<OrderRecordView> {
    const { orderId } = path;
    const record = await this.dataSource.getRepository(OrderRecordEntity).findOneBy({ orderId });
    if (!record) {
      throw new NotFoundError(`No record of order ${orderId}`, {
        code: 'ORDER_RECORD_NOT_FOUND',
        details: { orderId },
      });
    }
    return {
      orderId: record.orderId,
      customerId: record.customerId,
      itemCount: record.itemCount,
      totalCents: record.totalCents,
      currency: record.currency,
      recordedAt: record.recordedAt.toISOString(),
    };
  }
}
