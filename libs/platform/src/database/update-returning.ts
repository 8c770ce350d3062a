import type { EntityManager } from 'typeorm';

/**
 * Runs an `UPDATE … RETURNING` (or `DELETE … RETURNING`) and returns its rows. TypeORM's `query()` on
 * PostgreSQL answers these with `[rows, affectedCount]` rather than the rows a SELECT gets.
 */
export async function updateReturning<T>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const [rows] = (await manager.query(sql, parameters)) as [T[], number];
  return rows;
}
