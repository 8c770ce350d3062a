import { Controller } from '@nestjs/common';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import { z } from 'zod';
import { stockLevelViewSchema, type StockLevelView } from '../get-stock/stock-level.view';
import { skuSchema } from '../http/sku.schema';
import { SetStockLevelUseCase } from './set-stock-level.use-case';

export const setStockLevelRoute = defineRoute({
  method: 'put',
  path: '/stock/{sku}',
  operationId: 'setStockLevel',
  summary:
    "Set a SKU's available units (a count or a delivery); creates the SKU, or puts a withdrawn one back on sale",
  description:
    'The new level is published on the compacted inventory.stock-levels topic, which orders replicates. ' +
    'Units reserved by orders are not changed.',
  tags: ['stock'],
  request: {
    path: z.object({ sku: skuSchema.meta({ example: 'SKU-RED-MUG' }) }),
    body: z.object({ available: z.int().min(0).max(1_000_000) }).strict(),
  },
  responses: { 200: { description: 'The stock of the SKU, as set', schema: stockLevelViewSchema } },
});

@Controller()
export class SetStockLevelController {
  constructor(private readonly setStockLevel: SetStockLevelUseCase) {}

  @Route(setStockLevelRoute)
  set(@ValidRequest() { path, body }: ValidatedRequest<typeof setStockLevelRoute>): Promise<StockLevelView> {
    return this.setStockLevel.execute(path.sku, body.available);
  }
}
