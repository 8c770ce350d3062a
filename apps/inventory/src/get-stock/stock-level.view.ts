import type { EntityManager } from 'typeorm';
import { z } from 'zod';

/**
 * The stock of one SKU: units free to reserve, units held by orders, the version of this level (the one
 * on `inventory.stock-levels`), and whether the SKU was withdrawn from sale.
 */
export const stockLevelViewSchema = z.object({
  sku: z.string(),
  available: z.int().nonnegative(),
  reserved: z.int().nonnegative(),
  version: z.int().positive(),
  withdrawn: z.boolean(),
});

export type StockLevelView = z.infer<typeof stockLevelViewSchema>;

/** The columns of a `StockLevelRow`, for a SELECT or a RETURNING on stock_items. */
export const LEVEL_COLUMNS =
  'sku, available, reserved, version::text AS version, withdrawn_at IS NOT NULL AS withdrawn';

const SELECT_LEVEL = `SELECT ${LEVEL_COLUMNS} FROM stock_items`;

/** A level as SQL reads it (`LEVEL_COLUMNS`): the version is a bigint, so text. */
export interface StockLevelRow {
  sku: string;
  available: number;
  reserved: number;
  version: string;
  withdrawn: boolean;
}

const toView = (row: StockLevelRow): StockLevelView => ({ ...row, version: Number(row.version) });

export async function readStockLevel(
  manager: EntityManager,
  sku: string,
): Promise<StockLevelView | undefined> {
  const rows = (await manager.query(`${SELECT_LEVEL} WHERE sku = $1`, [sku])) as StockLevelRow[];
  return rows[0] ? toView(rows[0]) : undefined;
}

export async function readStockLevels(manager: EntityManager): Promise<StockLevelView[]> {
  const rows = (await manager.query(`${SELECT_LEVEL} ORDER BY sku`)) as StockLevelRow[];
  return rows.map(toView);
}
