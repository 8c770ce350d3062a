import { Controller } from '@nestjs/common';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import { z } from 'zod';
import { stockLevelViewSchema, type StockLevelView } from '../get-stock/stock-level.view';
import { skuSchema } from '../http/sku.schema';
import { WithdrawSkuUseCase } from './withdraw-sku.use-case';

export const withdrawSkuRoute = defineRoute({
  method: 'post',
  path: '/stock/{sku}/withdraw',
  operationId: 'withdrawSku',
  summary: 'Withdraw a SKU from sale: no new reservations; a tombstone on its inventory.stock-levels key',
  description:
    'Reservations it holds are kept until their orders release them. Repeating it changes nothing.',
  tags: ['stock'],
  request: { path: z.object({ sku: skuSchema.meta({ example: 'SKU-POSTER' }) }) },
  responses: { 200: { description: 'The stock of the SKU, withdrawn', schema: stockLevelViewSchema } },
  problems: [404],
});

@Controller()
export class WithdrawSkuController {
  constructor(private readonly withdrawSku: WithdrawSkuUseCase) {}

  @Route(withdrawSkuRoute)
  withdraw(@ValidRequest() { path }: ValidatedRequest<typeof withdrawSkuRoute>): Promise<StockLevelView> {
    return this.withdrawSku.execute(path.sku);
  }
}
