import type { DataSource } from 'typeorm';
import { OutboxRetention } from './outbox.retention';

/** A DataSource that records each query and answers DELETEs with the given affected-row counts in turn. */
function recordingDataSource(deletedPerStatement: number[]) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const dataSource = {
    query: (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return Promise.resolve([[], deletedPerStatement[calls.length - 1] ?? 0]);
    },
  } as unknown as DataSource;
  return { dataSource, calls };
}

describe('OutboxRetention', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects maxAgeMs %p', (maxAgeMs) => {
    const { dataSource } = recordingDataSource([]);
    expect(() => new OutboxRetention({ dataSource, maxAgeMs })).toThrow(
      /OutboxRetention maxAgeMs must be a positive integer/,
    );
  });

  it('rejects an invalid table name', () => {
    const { dataSource } = recordingDataSource([]);
    expect(() => new OutboxRetention({ dataSource, maxAgeMs: 1000, table: 'outbox; DROP' })).toThrow(
      /Invalid table name/,
    );
  });

  it('deletes published rows in batches until a batch comes back short, and returns the total', async () => {
    const { dataSource, calls } = recordingDataSource([2, 2, 1]);
    const retention = new OutboxRetention({
      dataSource,
      maxAgeMs: 60_000,
      batchSize: 2,
      table: 'ops.outbox',
    });

    expect(await retention.runOnce()).toBe(5);
    expect(calls.map((c) => c.params)).toEqual([
      [60_000, 2],
      [60_000, 2],
      [60_000, 2],
    ]);
    // Only published rows qualify, and the table name is quoted per part.
    expect(calls[0]?.sql).toContain('FROM "ops"."outbox"');
    expect(calls[0]?.sql).toContain('published_at < now()');
  });
});
