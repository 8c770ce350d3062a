import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { customerIdSchema } from '../http/identifiers.schema';

export const customerSummarySchema = z.object({
  customerId: z.string(),
  ordersByState: z.object({
    PENDING: z.int().nonnegative(),
    CONFIRMED: z.int().nonnegative(),
    REJECTED: z.int().nonnegative(),
    CANCELLED: z.int().nonnegative(),
  }),
  refunds: z.int().nonnegative().describe('Orders whose payment was refunded'),
  amounts: z
    .array(
      z.object({
        currency: z.string(),
        spentCents: z.int().nonnegative().describe('Totals of confirmed orders'),
        refundedCents: z.int().nonnegative(),
      }),
    )
    .describe('Per currency, never added across currencies'),
});

export type CustomerSummaryDto = z.infer<typeof customerSummarySchema>;

export const getCustomerSummaryRoute = defineRoute({
  method: 'get',
  path: '/customers/{customerId}/summary',
  operationId: 'getCustomerSummary',
  summary: "A customer's orders by state, money spent and refunds",
  tags: ['customers'],
  request: { path: z.object({ customerId: customerIdSchema }) },
  responses: { 200: { description: 'The summary', schema: customerSummarySchema } },
  problems: [404],
});

interface SummaryRow {
  pending: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  refunds: number;
}

@Controller()
export class GetCustomerSummaryController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getCustomerSummaryRoute)
  async get(
    @ValidRequest() { path }: ValidatedRequest<typeof getCustomerSummaryRoute>,
  ): Promise<CustomerSummaryDto> {
    const { customerId } = path;
    // One transaction reads one generation, as in GetOrderViewController.
    return this.dataSource.transaction(async (manager) => {
      const [summary] = (await manager.query(
        `SELECT pending, confirmed, rejected, cancelled, refunds FROM customer_summaries WHERE customer_id = $1`,
        [customerId],
      )) as SummaryRow[];
      if (!summary) {
        throw new NotFoundError(`No order of customer ${customerId} has been read`, {
          code: 'CUSTOMER_SUMMARY_NOT_FOUND',
          details: { customerId },
        });
      }
      const amounts = (await manager.query(
        `SELECT currency, spent_cents::text AS spent, refunded_cents::text AS refunded FROM customer_amounts
          WHERE customer_id = $1 ORDER BY currency COLLATE "C"`,
        [customerId],
      )) as { currency: string; spent: string; refunded: string }[];
      return {
        customerId,
        ordersByState: {
          PENDING: summary.pending,
          CONFIRMED: summary.confirmed,
          REJECTED: summary.rejected,
          CANCELLED: summary.cancelled,
        },
        refunds: summary.refunds,
        amounts: amounts.map((a) => ({
          currency: a.currency,
          spentCents: Number(a.spent),
          refundedCents: Number(a.refunded),
        })),
      };
    });
  }
}
