import type { ConsumedRecord, ConsumerGroupOffset } from '@orderstream/messaging';
import { lagSeconds, nextRecordRanges } from './lag-seconds';

const offset = (partition: number, committedOffset: string, endOffset: string): ConsumerGroupOffset => {
  const position = BigInt(committedOffset) < 0n ? 0n : BigInt(committedOffset);
  return { topic: 't', partition, committedOffset, endOffset, lag: Number(BigInt(endOffset) - position) };
};
const record = (partition: number, at: string, timestamp: number): ConsumedRecord => ({
  topic: 't',
  partition,
  offset: at,
  key: null,
  value: null,
  headers: {},
  timestamp: String(timestamp),
});
const starts = (entries: [number, string][]) => new Map(entries.map(([p, s]) => [`t\u0000${p}`, s]));

describe('nextRecordRanges', () => {
  it('reads a short window from the committed offset, the log start where none is or retention passed it', () => {
    const offsets = [offset(0, '4', '10'), offset(1, '7', '7'), offset(2, '-1', '50'), offset(3, '2', '100')];
    expect(
      nextRecordRanges(
        offsets,
        starts([
          [2, '3'],
          [3, '30'],
        ]),
      ),
    ).toEqual([
      { topic: 't', partition: 0, fromOffset: '4', toOffset: '10' },
      { topic: 't', partition: 2, fromOffset: '3', toOffset: '19' },
      { topic: 't', partition: 3, fromOffset: '30', toOffset: '46' },
    ]);
  });

  it('reads nothing from a log emptied by retention', () => {
    expect(nextRecordRanges([offset(0, '-1', '5')], starts([[0, '5']]))).toEqual([]);
  });
});

describe('lagSeconds', () => {
  const now = 1_000_000;

  it('ages each lagging partition by the first record it gets; 0 where there is no lag', () => {
    const offsets = [offset(0, '4', '10'), offset(1, '7', '7'), offset(2, '-1', '5')];
    const ranges = nextRecordRanges(offsets, starts([]));
    const records = [record(0, '5', now - 9_000), record(0, '4', now - 12_500), record(2, '0', now - 60_000)];
    expect(lagSeconds(offsets, ranges, records, now)).toEqual([
      { topic: 't', partition: 0, seconds: 12.5, from: 'committed-offset' },
      { topic: 't', partition: 1, seconds: 0, from: null },
      { topic: 't', partition: 2, seconds: 60, from: 'log-start' },
    ]);
  });

  it('says 0 where only records nobody gets (a commit marker) remain, and unknown where the window ran out', () => {
    const offsets = [offset(0, '9', '10'), offset(1, '0', '100')];
    const ranges = nextRecordRanges(offsets, starts([]));
    expect(lagSeconds(offsets, ranges, [], now)).toEqual([
      { topic: 't', partition: 0, seconds: 0, from: 'committed-offset' },
      { topic: 't', partition: 1, seconds: null, from: 'committed-offset' },
    ]);
  });

  it('never reports a negative age for a record stamped by a clock ahead of ours', () => {
    const offsets = [offset(0, '0', '1')];
    const ranges = nextRecordRanges(offsets, starts([]));
    expect(lagSeconds(offsets, ranges, [record(0, '0', now + 3_000)], now)[0]?.seconds).toBe(0);
  });
});
