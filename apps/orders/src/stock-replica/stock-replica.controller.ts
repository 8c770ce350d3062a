import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Route, defineRoute } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';

/** One SKU as orders' replica holds it: inventory's level as of `version`, replicated at `replicatedAt`. */
export const replicatedStockLevelSchema = z.object({
  sku: z.string(),
  available: z.int().nonnegative(),
  reserved: z.int().nonnegative(),
  version: z.int().positive(),
  replicatedAt: z.iso.datetime(),
});

export type ReplicatedStockLevel = z.infer<typeof replicatedStockLevelSchema>;

export const listStockReplicaRoute = defineRoute({
  method: 'get',
  path: '/stock-levels',
  operationId: 'listStockReplica',
  summary: "orders' replica of inventory's stock levels, by SKU (what orders checks new orders against)",
  description:
    'Built from the compacted inventory.stock-levels topic: every SKU on sale, at the version last ' +
    'replicated. It may be behind inventory for a moment; inventory stays the authority on reservations.',
  tags: ['stock'],
  responses: {
    200: { description: 'Every SKU on sale, ordered by SKU', schema: z.array(replicatedStockLevelSchema) },
  },
});

@Controller()
export class StockReplicaController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(listStockReplicaRoute)
  async list(): Promise<ReplicatedStockLevel[]> {
    const rows = (await this.dataSource.query(
      `SELECT sku, available, reserved, version::text AS version, replicated_at FROM stock_replica ORDER BY sku`,
    )) as { sku: string; available: number; reserved: number; version: string; replicated_at: Date }[];
    return rows.map((row) => ({
      sku: row.sku,
      available: row.available,
      reserved: row.reserved,
      version: Number(row.version),
      replicatedAt: row.replicated_at.toISOString(),
    }));
  }
}
