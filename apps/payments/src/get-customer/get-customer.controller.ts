import { Controller, Get, Param } from '@nestjs/common';
import { NotFoundError } from '@orderstream/messaging';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { CustomerAccountEntity } from '../database/customer-account.entity';
import { identifierSchema } from '../http/identifier.schema';
import { customerCreditViewSchema, type CustomerCreditView } from './customer-credit.view';
import { ZodValidationPipe } from '@orderstream/platform';

@ApiTags('customers')
@Controller('customers')
export class GetCustomerController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get(':customerId')
  @ApiOperation({ summary: "A customer's credit limit, reserved credit and what is still available" })
  @ApiParam({ name: 'customerId', example: 'customer-1' })
  @ApiOkResponse({ schema: z.toJSONSchema(customerCreditViewSchema) as object })
  async get(
    @Param('customerId', new ZodValidationPipe(identifierSchema, 'customerId')) customerId: string,
  ): Promise<CustomerCreditView> {
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
