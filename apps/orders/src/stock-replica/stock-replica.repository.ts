import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReplicatedLevel } from './stock-availability';

/** Reads the stock replica (written only by StockReplicaHandler). */
@Injectable()
export class StockReplicaRepository {
  async levelsOf(manager: EntityManager, skus: readonly string[]): Promise<Map<string, ReplicatedLevel>> {
    const rows = (await manager.query(
      'SELECT sku, available, version::text AS version FROM stock_replica WHERE sku = ANY($1::text[])',
      [[...skus]],
    )) as { sku: string; available: number; version: string }[];
    return new Map(rows.map((row) => [row.sku, { available: row.available, version: Number(row.version) }]));
  }
}
