/**
 * Publishes stock levels as event-carried state: every change of a SKU's level becomes a
 * `StockLevelChanged` (its whole level: available, reserved, version) on the compacted
 * `inventory.stock-levels`, keyed by SKU, through the outbox in the transaction that made the change; a
 * withdrawn SKU becomes a `StockLevelWithdrawn` tombstone. Readers (orders' replica) need nothing else:
 * the latest record of each key is the SKU's state.
 *
 * What has been announced is a column (`announced_version`), not a guess: `announce` writes an event only
 * for rows whose version moved since their last announcement, so calling it twice is harmless, and at boot
 * `announcePending` catches up every row changed outside the use cases (the seeded stock, a fix by hand).
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stockLevelChangedEvent, stockLevelWithdrawnEvent } from '@orderstream/contracts';
import type { Cause } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import { SERVICE_LOGGER, updateReturning, type ServiceLogger } from '@orderstream/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { LEVEL_COLUMNS, type StockLevelRow } from '../get-stock/stock-level.view';
import { STOCK_ITEM_AGGREGATE } from './stock.aggregate';

@Injectable()
export class StockLevelAnnouncer implements OnApplicationBootstrap {
  constructor(
    private readonly outbox: OutboxWriter,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /**
   * Queues the current level of each of these SKUs whose version was not announced yet, in the caller's
   * transaction, after its change. The caller holds the rows' locks (every change locks them first), so
   * the events of one SKU are queued in version order. Returns how many were queued.
   */
  async announce(manager: EntityManager, skus: readonly string[], causedBy?: Cause): Promise<number> {
    if (skus.length === 0) return 0;
    const rows = await updateReturning<StockLevelRow>(
      manager,
      `UPDATE stock_items SET announced_version = version
        WHERE sku = ANY($1::text[]) AND announced_version IS DISTINCT FROM version
        RETURNING ${LEVEL_COLUMNS}`,
      [[...skus]],
    );
    return this.queue(manager, rows, causedBy);
  }

  /** Announces every row whose level changed outside the use cases; run at boot, in one transaction. */
  async announcePending(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const pending = (await manager.query(
        `SELECT sku FROM stock_items WHERE announced_version IS DISTINCT FROM version ORDER BY sku FOR UPDATE`,
      )) as { sku: string }[];
      return this.announce(
        manager,
        pending.map((row) => row.sku),
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const announced = await this.announcePending();
    if (announced > 0) this.logger.info({ announced }, 'stock levels announced at boot');
  }

  private async queue(
    manager: EntityManager,
    rows: readonly StockLevelRow[],
    causedBy?: Cause,
  ): Promise<number> {
    const sorted = [...rows].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    for (const row of sorted) {
      const common = { aggregateType: STOCK_ITEM_AGGREGATE, ...(causedBy ? { causedBy } : {}) };
      if (row.withdrawn) {
        await this.outbox.add(manager, {
          definition: stockLevelWithdrawnEvent,
          data: { sku: row.sku },
          ...common,
        });
      } else {
        await this.outbox.add(manager, {
          definition: stockLevelChangedEvent,
          data: {
            sku: row.sku,
            available: row.available,
            reserved: row.reserved,
            version: Number(row.version),
          },
          ...common,
        });
      }
    }
    return sorted.length;
  }
}
