/**
 * Keeps orders' replica of inventory's stock levels: each `StockLevelChanged` is a SKU's whole level, kept
 * if its version is newer than the row's; a `StockLevelWithdrawn` tombstone deletes the row. Records of one
 * SKU arrive in order (one key, one partition), so after any redelivery the replica converges to the
 * topic's latest record per SKU, which is inventory's state.
 *
 * The replica is an early answer, not the authority: the saga still reserves the stock in inventory, so a
 * stale row lets through an order the saga then rejects, or refuses one a fresher row would have taken.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  stockLevelChangedEvent,
  stockLevelWithdrawnEvent,
  type StockLevelChanged,
  type StockLevelWithdrawn,
} from '@orderstream/contracts';
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import { HandleEvent } from '@orderstream/messaging/nest';
import type { DataSource } from 'typeorm';
import { stockReplicaConsumer } from './stock-replica.consumer';

@Injectable()
export class StockReplicaHandler {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @HandleEvent(stockReplicaConsumer, stockLevelChangedEvent)
  async onStockLevelChanged(event: Envelope<StockLevelChanged>, context: HandlerContext): Promise<void> {
    const { sku, available, reserved, version } = event.data;
    const applied = (await this.dataSource.query(
      `INSERT INTO stock_replica (sku, available, reserved, version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku) DO UPDATE
         SET available = EXCLUDED.available, reserved = EXCLUDED.reserved, version = EXCLUDED.version,
             replicated_at = now()
         WHERE stock_replica.version < EXCLUDED.version
       RETURNING sku`,
      [sku, available, reserved, version],
    )) as unknown[];
    context.logger.debug({ sku, version, applied: applied.length > 0 }, 'stock level replicated');
  }

  @HandleEvent(stockReplicaConsumer, stockLevelWithdrawnEvent)
  async onStockLevelWithdrawn(event: Envelope<StockLevelWithdrawn>, context: HandlerContext): Promise<void> {
    await this.dataSource.query('DELETE FROM stock_replica WHERE sku = $1', [event.data.sku]);
    context.logger.info({ sku: event.data.sku }, 'SKU withdrawn: removed from the stock replica');
  }
}
