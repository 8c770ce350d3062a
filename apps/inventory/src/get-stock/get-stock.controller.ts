import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { StockItemEntity } from '../database/stock-item.entity';
import { skuSchema } from '../http/sku.schema';
import { stockLevelViewSchema, type StockLevelView } from './stock-level.view';

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

const view = ({ sku, available, reserved }: StockItemEntity): StockLevelView => ({
  sku,
  available,
  reserved,
});

@Controller()
export class GetStockController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(listStockRoute)
  async list(): Promise<StockLevelView[]> {
    const items = await this.dataSource.getRepository(StockItemEntity).find({ order: { sku: 'ASC' } });
    return items.map(view);
  }

  @Route(getStockRoute)
  async get(@ValidRequest() { path }: ValidatedRequest<typeof getStockRoute>): Promise<StockLevelView> {
    const item = await this.dataSource.getRepository(StockItemEntity).findOneBy({ sku: path.sku });
    if (!item) {
      throw new NotFoundError(`No SKU ${path.sku}`, { code: 'SKU_NOT_FOUND', details: { sku: path.sku } });
    }
    return view(item);
  }
}
