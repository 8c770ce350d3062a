import { unavailableLines, type ReplicatedLevel } from './stock-availability';

describe('unavailableLines', () => {
  const levels = new Map<string, ReplicatedLevel>([
    ['SKU-PLENTY', { available: 10, version: 3 }],
    ['SKU-EMPTY', { available: 0, version: 7 }],
  ]);

  it('lets through every SKU the replica shows with units available, even more than it shows', () => {
    expect(unavailableLines([{ sku: 'SKU-PLENTY' }, { sku: 'SKU-PLENTY' }], levels)).toEqual([]);
  });

  it('names each line whose SKU is not in the replica or has no units, by its index', () => {
    expect(
      unavailableLines([{ sku: 'SKU-PLENTY' }, { sku: 'SKU-GONE' }, { sku: 'SKU-EMPTY' }], levels),
    ).toEqual([
      { field: 'items[1].sku', message: 'SKU-GONE is not on sale (unknown to inventory or withdrawn)' },
      { field: 'items[2].sku', message: 'SKU-EMPTY is out of stock' },
    ]);
  });
});
