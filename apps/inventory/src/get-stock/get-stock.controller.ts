import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { skuSchema } from '../http/sku.schema';
import {
  readStockLevel,
  readStockLevels,
  stockLevelViewSchema,
  type StockLevelView,
} from './stock-level.view';

export const listStockRoute = defineRoute({
  method: 'get',
  path: '/stock',
  operationId: 'listStock',
  summary: 'The stock of every SKU, by SKU',
  tags: ['stock'],
  responses: { 200: { description: 'Every SKU, ordered by SKU', schema: z.array(stockLevelViewSchema) } },
});

export const getStockRoute = defineRoute({
  method: 'get',
  path: '/stock/{sku}',
  operationId: 'getStock',
  summary: 'The stock of one SKU',
  tags: ['stock'],
  request: { path: z.object({ sku: skuSchema.meta({ example: 'SKU-RED-MUG' }) }) },
  responses: { 200: { description: 'The stock of the SKU', schema: stockLevelViewSchema } },
  problems: [404],
});

@Controller()
export class GetStockController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(listStockRoute)
  list(): Promise<StockLevelView[]> {
    return readStockLevels(this.dataSource.manager);
  }

  @Route(getStockRoute)
  async get(@ValidRequest() { path }: ValidatedRequest<typeof getStockRoute>): Promise<StockLevelView> {
    const level = await readStockLevel(this.dataSource.manager, path.sku);
    if (!level) {
      throw new NotFoundError(`No SKU ${path.sku}`, { code: 'SKU_NOT_FOUND', details: { sku: path.sku } });
    }
    return level;
  }
}
