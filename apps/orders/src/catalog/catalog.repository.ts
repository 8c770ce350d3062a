import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CatalogPrice } from './price-order';

/** Reads prices from the `products` table (seeded by a migration). */
@Injectable()
export class CatalogRepository {
  async pricesOf(manager: EntityManager, skus: readonly string[]): Promise<Map<string, CatalogPrice>> {
    const rows = (await manager.query(
      'SELECT sku, unit_price_cents::text AS unit_price_cents, currency FROM products WHERE sku = ANY($1)',
      [skus],
    )) as { sku: string; unit_price_cents: string; currency: string }[];
    return new Map(
      rows.map((row) => [row.sku, { unitPriceCents: Number(row.unit_price_cents), currency: row.currency }]),
    );
  }
}
