import { Controller, Get, Param } from '@nestjs/common';
import { NotFoundError } from '@orderstream/messaging';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { StockItemEntity } from '../database/stock-item.entity';
import { skuSchema } from '../http/sku.schema';
import { stockLevelViewSchema, type StockLevelView } from './stock-level.view';
import { ZodValidationPipe } from '@orderstream/platform';

const view = ({ sku, available, reserved }: StockItemEntity): StockLevelView => ({
  sku,
  available,
  reserved,
});

@ApiTags('stock')
@Controller('stock')
export class GetStockController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'The stock of every SKU, by SKU' })
  @ApiOkResponse({ schema: z.toJSONSchema(z.array(stockLevelViewSchema)) as object })
  async list(): Promise<StockLevelView[]> {
    const items = await this.dataSource.getRepository(StockItemEntity).find({ order: { sku: 'ASC' } });
    return items.map(view);
  }

  @Get(':sku')
  @ApiOperation({ summary: 'The stock of one SKU' })
  @ApiParam({ name: 'sku', example: 'SKU-RED-MUG' })
  @ApiOkResponse({ schema: z.toJSONSchema(stockLevelViewSchema) as object })
  async get(@Param('sku', new ZodValidationPipe(skuSchema, 'sku')) sku: string): Promise<StockLevelView> {
    const item = await this.dataSource.getRepository(StockItemEntity).findOneBy({ sku });
    if (!item) throw new NotFoundError(`No SKU ${sku}`, { code: 'SKU_NOT_FOUND', details: { sku } });
    return view(item);
  }
}
