import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { CustomerAccounts } from '../customer-account/customer-accounts';
import { CustomerAccountEntity } from '../database/customer-account.entity';
import { identifierSchema } from '../http/identifier.schema';
import { customerCreditViewSchema, type CustomerCreditView } from './customer-credit.view';

export const getCustomerRoute = defineRoute({
  method: 'get',
  path: '/customers/{customerId}',
  operationId: 'getCustomer',
  summary: "A customer's credit limit, reserved credit and what is still available; now, or as it was",
  tags: ['customers'],
  request: {
    path: z.object({ customerId: identifierSchema.meta({ example: 'customer-1' }) }),
    query: z.object({
      asOf: z
        .union([
          z
            .string()
            .regex(/^\d{1,9}$/, { error: 'is not a version' })
            .transform(Number),
          z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
        ])
        .optional()
        .meta({
          description:
            'Time travel: the account as it was at this version of its stream (a whole number, 1 = opened) ' +
            'or at this instant (RFC 3339), replayed from its events.',
          example: '2026-12-07T12:00:00Z',
        }),
    }),
  },
  responses: { 200: { description: "The customer's credit", schema: customerCreditViewSchema } },
  problems: [404],
});

@Controller()
export class GetCustomerController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: CustomerAccounts,
  ) {}

  @Route(getCustomerRoute)
  async get(
    @ValidRequest() { path, query }: ValidatedRequest<typeof getCustomerRoute>,
  ): Promise<CustomerCreditView> {
    const { customerId } = path;
    if (query.asOf !== undefined) return this.asOf(customerId, query.asOf);
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

  /** The account replayed from its stream up to a version or an instant. */
  private async asOf(customerId: string, at: number | Date): Promise<CustomerCreditView> {
    const loaded = await this.accounts.load(
      this.dataSource.manager,
      customerId,
      typeof at === 'number' ? { toVersion: at } : { asOf: at },
    );
    if (!loaded.state.open)
      throw new NotFoundError(
        `No customer ${customerId} at ${typeof at === 'number' ? `version ${at}` : at.toISOString()}`,
        {
          code: 'CUSTOMER_NOT_FOUND',
          details: { customerId },
        },
      );
    return {
      customerId,
      creditLimitCents: loaded.state.creditLimitCents,
      reservedCents: loaded.state.reservedCents,
      availableCents: loaded.state.creditLimitCents - loaded.state.reservedCents,
      version: loaded.version,
    };
  }
}
