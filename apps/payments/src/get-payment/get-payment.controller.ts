import { Controller, Get, Param } from '@nestjs/common';
import { NotFoundError } from '@orderstream/messaging';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { PaymentEntity } from '../database/payment.entity';
import { identifierSchema } from '../http/identifier.schema';
import { paymentViewSchema, type PaymentView } from './payment.view';
import { ZodValidationPipe } from '@orderstream/platform';

@ApiTags('payments')
@Controller('payments')
export class GetPaymentController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get(':orderId')
  @ApiOperation({ summary: 'The payment of an order: authorized, declined or refunded' })
  @ApiParam({ name: 'orderId' })
  @ApiOkResponse({ schema: z.toJSONSchema(paymentViewSchema) as object })
  async get(
    @Param('orderId', new ZodValidationPipe(identifierSchema, 'orderId')) orderId: string,
  ): Promise<PaymentView> {
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
