/**
 * Use case: a SKU is withdrawn from sale. It takes no new reservation (inventory rejects the stock of any
 * order that still asks for it), reservations it holds can still be released, and its key on the
 * compacted `inventory.stock-levels` gets a tombstone, so every replica forgets it. Withdrawing a
 * withdrawn SKU changes nothing and announces nothing.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@orderstream/messaging';
import type { DataSource } from 'typeorm';
import { StockLevelAnnouncer } from '../stock/stock-level.announcer';
import { readStockLevel, type StockLevelView } from '../get-stock/stock-level.view';

@Injectable()
export class WithdrawSkuUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly levels: StockLevelAnnouncer,
  ) {}

  async execute(sku: string): Promise<StockLevelView> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE stock_items SET withdrawn_at = now(), updated_at = now() WHERE sku = $1 AND withdrawn_at IS NULL`,
        [sku],
      );
      await this.levels.announce(manager, [sku]);
      const level = await readStockLevel(manager, sku);
      if (!level) throw new NotFoundError(`No SKU ${sku}`, { code: 'SKU_NOT_FOUND', details: { sku } });
      return level;
    });
  }
}
