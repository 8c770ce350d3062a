import type { DataSource } from 'typeorm';
import { InboxRetention } from './inbox.retention';

// Construction validates its options before any query; no database is touched here.
const dataSource = {} as DataSource;

describe('InboxRetention options', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects maxAgeMs %p', (maxAgeMs) => {
    expect(() => new InboxRetention({ dataSource, maxAgeMs })).toThrow(/maxAgeMs must be a positive integer/);
  });

  it.each([0, -5, 2.5])('rejects batchSize %p', (batchSize) => {
    expect(() => new InboxRetention({ dataSource, maxAgeMs: 1000, batchSize })).toThrow(
      /batchSize must be a positive integer/,
    );
  });

  it('rejects an invalid table name', () => {
    expect(() => new InboxRetention({ dataSource, maxAgeMs: 1000, table: 'inbox; DROP' })).toThrow(
      /Invalid table name/,
    );
  });
});
