/**
 * Use case: stock is counted or delivered, so a SKU's available units are set (a SKU new to inventory is
 * created, a withdrawn one is back on sale), and its new level is announced on the compacted topic in the
 * same transaction. Units held by orders are not touched: they leave with their orders.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InvariantViolatedError } from '@orderstream/messaging';
import type { DataSource } from 'typeorm';
import { StockLevelAnnouncer } from '../stock/stock-level.announcer';
import { readStockLevel, type StockLevelView } from '../get-stock/stock-level.view';

@Injectable()
export class SetStockLevelUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly levels: StockLevelAnnouncer,
  ) {}

  async execute(sku: string, available: number): Promise<StockLevelView> {
    return this.dataSource.transaction(async (manager) => {
      // The upsert takes the row's lock like every other change of a level.
      await manager.query(
        `INSERT INTO stock_items (sku, available) VALUES ($1, $2)
         ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available, withdrawn_at = NULL, updated_at = now()`,
        [sku, available],
      );
      await this.levels.announce(manager, [sku]);
      const level = await readStockLevel(manager, sku);
      if (!level) throw new InvariantViolatedError(`SKU ${sku} vanished inside its own transaction`);
      return level;
    });
  }
}
