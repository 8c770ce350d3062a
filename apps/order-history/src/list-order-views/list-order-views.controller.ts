import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { orderViewSummarySchema, type OrderViewSummaryDto } from '../get-order-view/order-view.view';
import {
  CURSOR_PATTERN,
  cursorOf,
  listOrderViews,
  pageKeyOf,
  PAGE_SIZE,
} from '../get-order-view/order-view.queries';
import { customerIdSchema } from '../http/identifiers.schema';
import { ORDER_STATES } from '../projection/order-view';

export const listOrderViewsRoute = defineRoute({
  method: 'get',
  path: '/order-views',
  operationId: 'listOrderViews',
  summary: `Order views, newest placed first, ${PAGE_SIZE} a page (keyset pagination: pass nextCursor as cursor)`,
  tags: ['order-views'],
  request: {
    query: z.object({
      customerId: customerIdSchema.optional(),
      state: z.enum(ORDER_STATES).optional(),
      cursor: z
        .string()
        .regex(CURSOR_PATTERN, { error: 'is not a cursor of this list' })
        .optional()
        .meta({ description: 'The nextCursor of the previous page (opaque).' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of order views',
      schema: z.object({
        items: z.array(orderViewSummarySchema),
        nextCursor: z.string().nullable().describe('null on the last page'),
      }),
    },
  },
});

@Controller()
export class ListOrderViewsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(listOrderViewsRoute)
  async list(
    @ValidRequest() { query }: ValidatedRequest<typeof listOrderViewsRoute>,
  ): Promise<{ items: OrderViewSummaryDto[]; nextCursor: string | null }> {
    // One more than a page tells whether another page follows, without a count.
    const rows = await listOrderViews(this.dataSource.manager, {
      customerId: query.customerId,
      state: query.state,
      after: query.cursor === undefined ? undefined : pageKeyOf(query.cursor),
      limit: PAGE_SIZE + 1,
    });
    const items = rows.slice(0, PAGE_SIZE);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > PAGE_SIZE && last ? cursorOf({ placedAt: last.placedAt, orderId: last.orderId }) : null,
    };
  }
}
