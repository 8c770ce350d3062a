import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { PaymentEntity } from '../database/payment.entity';
import { identifierSchema } from '../http/identifier.schema';
import { paymentViewSchema, type PaymentView } from './payment.view';

export const getPaymentRoute = defineRoute({
  method: 'get',
  path: '/payments/{orderId}',
  operationId: 'getPayment',
  summary: 'The payment of an order: authorized, declined or refunded',
  tags: ['payments'],
  request: { path: z.object({ orderId: identifierSchema.meta({ description: 'The order id (a UUID).' }) }) },
  responses: { 200: { description: 'The payment', schema: paymentViewSchema } },
  problems: [404],
});

@Controller()
export class GetPaymentController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getPaymentRoute)
  async get(@ValidRequest() { path }: ValidatedRequest<typeof getPaymentRoute>): Promise<PaymentView> {
    const { orderId } = path;
    const payment = await this.dataSource.getRepository(PaymentEntity).findOneBy({ orderId });
    if (!payment)
      throw new NotFoundError(`No payment for order ${orderId}`, {
        code: 'PAYMENT_NOT_FOUND',
        details: { orderId },
      });
    return {
      orderId: payment.orderId,
      customerId: payment.customerId,
      amountCents: payment.amountCents,
      currency: payment.currency,
      status: payment.status,
      reason: payment.reason,
      createdAt: payment.createdAt.toISOString(),
      updatedAt: payment.updatedAt.toISOString(),
    };
  }
}
