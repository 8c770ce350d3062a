import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('offers nothing before a record is begun', () => {
    const tracker = new OffsetTracker();
    expect(tracker.committable()).toBeUndefined();
    expect(tracker.unfinished()).toEqual([]);
    expect(tracker.unfinishedCount).toBe(0);
  });

  it('stays at the first unfinished record while it runs', () => {
    const tracker = new OffsetTracker();
    tracker.begin('10');
    expect(tracker.committable()).toBe(10n);
    tracker.complete('10');
    expect(tracker.committable()).toBe(11n);
  });

  it('advances one past each record when records finish in order', () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 5; offset += 1) {
      tracker.begin(String(offset));
      tracker.complete(String(offset));
      expect(tracker.committable()).toBe(BigInt(offset + 1));
    }
  });

  it('never commits past the lowest unfinished record when later ones finish first', () => {
    const tracker = new OffsetTracker();
    ['0', '1', '2', '3'].forEach((o) => tracker.begin(o));
    tracker.complete('3');
    tracker.complete('1');
    expect(tracker.committable()).toBe(0n);
    expect(tracker.unfinished()).toEqual([0n, 2n]);

    tracker.complete('0');
    // 1 is done too, so the position jumps to the next unfinished one, 2.
    expect(tracker.committable()).toBe(2n);

    tracker.complete('2');
    expect(tracker.committable()).toBe(4n);
    expect(tracker.unfinished()).toEqual([]);
  });

  it('keeps an unfinished record as the commit position forever (a failed or deferred record)', () => {
    const tracker = new OffsetTracker();
    ['5', '6', '7'].forEach((o) => tracker.begin(o));
    tracker.complete('5');
    tracker.complete('7');
    expect(tracker.committable()).toBe(6n);
    expect(tracker.unfinished()).toEqual([6n]);
    expect(tracker.unfinishedCount).toBe(1);
  });

  it('skips gaps in the offsets (compacted records, transaction markers)', () => {
    const tracker = new OffsetTracker();
    tracker.begin('3');
    tracker.begin('7');
    tracker.begin('8');
    tracker.complete('3');
    expect(tracker.committable()).toBe(7n);
    tracker.complete('8');
    expect(tracker.committable()).toBe(7n);
    tracker.complete('7');
    expect(tracker.committable()).toBe(9n);
  });

  it('handles offsets beyond Number.MAX_SAFE_INTEGER exactly', () => {
    const tracker = new OffsetTracker();
    const big = '9007199254740993'; // 2^53 + 1: not representable as a number
    tracker.begin(big);
    tracker.complete(big);
    expect(tracker.committable()).toBe(9007199254740994n);
  });

  it('rejects offsets that do not increase', () => {
    const tracker = new OffsetTracker();
    tracker.begin('4');
    expect(() => tracker.begin('4')).toThrow(RangeError);
    expect(() => tracker.begin('3')).toThrow(/must increase/);
  });

  it('rejects completing a record that was not begun, or twice', () => {
    const tracker = new OffsetTracker();
    expect(() => tracker.complete('1')).toThrow(RangeError);
    tracker.begin('1');
    tracker.complete('1');
    expect(() => tracker.complete('1')).toThrow(/not begun or is already complete/);
  });

  it('stays correct over many records finishing in a scrambled order', () => {
    const tracker = new OffsetTracker();
    const count = 5_000;
    for (let offset = 0; offset < count; offset += 1) tracker.begin(String(offset));
    // A deterministic permutation: stride through the offsets with a step coprime to the count.
    const finished = new Set<number>();
    for (let i = 0; i < count; i += 1) {
      const offset = (i * 7_919) % count;
      tracker.complete(String(offset));
      finished.add(offset);
      let lowest = 0;
      while (finished.has(lowest)) lowest += 1;
      expect(tracker.committable()).toBe(BigInt(lowest));
    }
    expect(tracker.committable()).toBe(BigInt(count));
    expect(tracker.unfinishedCount).toBe(0);
  });
});
