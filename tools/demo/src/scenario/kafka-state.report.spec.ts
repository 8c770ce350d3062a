import { lagOf, totalOf } from './kafka-state.report';

describe('lagOf', () => {
  const end = [
    { partition: 0, offset: '10' },
    { partition: 1, offset: '7' },
  ];

  it('sums end minus committed over the partitions', () => {
    expect(
      lagOf(
        [
          { partition: 0, offset: '8' },
          { partition: 1, offset: '7' },
        ],
        end,
      ),
    ).toBe(2);
  });

  it('counts a partition without a commit from the start', () => {
    expect(
      lagOf(
        [
          { partition: 0, offset: '10' },
          { partition: 1, offset: '-1' },
        ],
        end,
      ),
    ).toBe(7);
  });

  it('is undefined for a group that committed nothing on the topic', () => {
    expect(lagOf([{ partition: 0, offset: '-1' }], end)).toBeUndefined();
    expect(lagOf([], end)).toBeUndefined();
  });

  it('totals end offsets', () => {
    expect(totalOf(end)).toBe(17);
    expect(totalOf(undefined)).toBe(0);
  });
});
