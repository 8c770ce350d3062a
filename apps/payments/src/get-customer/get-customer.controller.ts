import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { CustomerAccountEntity } from '../database/customer-account.entity';
import { identifierSchema } from '../http/identifier.schema';
import { customerCreditViewSchema, type CustomerCreditView } from './customer-credit.view';

export const getCustomerRoute = defineRoute({
  method: 'get',
  path: '/customers/{customerId}',
  operationId: 'getCustomer',
  summary: "A customer's credit limit, reserved credit and what is still available",
  tags: ['customers'],
  request: { path: z.object({ customerId: identifierSchema.meta({ example: 'customer-1' }) }) },
  responses: { 200: { description: "The customer's credit", schema: customerCreditViewSchema } },
  problems: [404],
});

@Controller()
export class GetCustomerController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getCustomerRoute)
  async get(
    @ValidRequest() { path }: ValidatedRequest<typeof getCustomerRoute>,
  ): Promise<CustomerCreditView> {
    const { customerId } = path;
    const account = await this.dataSource.getRepository(CustomerAccountEntity).findOneBy({ customerId });
    if (!account)
      throw new NotFoundError(`No customer ${customerId}`, {
        code: 'CUSTOMER_NOT_FOUND',
        details: { customerId },
      });
    return {
      customerId: account.customerId,
      creditLimitCents: account.creditLimitCents,
      reservedCents: account.reservedCents,
      availableCents: account.creditLimitCents - account.reservedCents,
    };
  }
}
