/**
 * Lag in seconds: how long the next record a group has not consumed has been waiting, i.e. now minus the
 * timestamp of the record at the group's committed offset. Records count a backlog; seconds say whether it
 * matters (a thousand records a second old is a busy partition, ten records an hour old a stuck one).
 *
 * The record at the committed offset is not always one a consumer gets: a transaction's commit marker
 * takes an offset too (a read_committed consumer that finished a transaction commits the offset of its
 * marker), and so do aborted records. So the reader asks for a short window from the committed offset and
 * takes the first record it gets. A window that reaches the log end and holds no record means there is
 * nothing to consume: 0 s, though Kafka counts the marker as lag.
 */
import type { ConsumedRecord, ConsumerGroupOffset, RecordRange } from '@orderstream/messaging';

/** How many offsets past the committed one are read to find the next record a consumer would get. */
export const NEXT_RECORD_WINDOW = 16n;

/** Where the age of a partition's backlog was measured. */
export type LagSecondsFrom = 'committed-offset' | 'log-start';

export interface PartitionLagSeconds {
  topic: string;
  partition: number;
  /** `null` when the next record could not be found within the window (and the log goes on). */
  seconds: number | null;
  /** Where the group committed nothing, the age of the first retained record: the backlog a consumer
   * starting from the beginning would face. `null` where there is no lag. */
  from: LagSecondsFrom | null;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** The offset the group's consumer would read next; below the log start (retention ran past it), the start. */
function nextOffset(offset: ConsumerGroupOffset, logStart: string): bigint {
  const start = BigInt(logStart);
  const committed = BigInt(offset.committedOffset);
  return committed < 0n || committed < start ? start : committed;
}

/** The ranges to read: a window from each lagging partition's next offset, never past its log end. */
export function nextRecordRanges(
  offsets: readonly ConsumerGroupOffset[],
  logStarts: ReadonlyMap<string, string>,
): RecordRange[] {
  return offsets.flatMap((offset) => {
    const from = nextOffset(offset, logStarts.get(keyOf(offset.topic, offset.partition)) ?? '0');
    const end = BigInt(offset.endOffset);
    if (offset.lag === 0 || from >= end) return [];
    const to = from + NEXT_RECORD_WINDOW < end ? from + NEXT_RECORD_WINDOW : end;
    return [
      { topic: offset.topic, partition: offset.partition, fromOffset: String(from), toOffset: String(to) },
    ];
  });
}

/** Each partition's lag in seconds at `nowMs`, from the records read for `ranges`. */
export function lagSeconds(
  offsets: readonly ConsumerGroupOffset[],
  ranges: readonly RecordRange[],
  records: readonly ConsumedRecord[],
  nowMs: number,
): PartitionLagSeconds[] {
  const windows = new Map(ranges.map((r) => [keyOf(r.topic, r.partition), r]));
  const first = new Map<string, ConsumedRecord>();
  for (const record of records) {
    const key = keyOf(record.topic, record.partition);
    const seen = first.get(key);
    if (seen === undefined || BigInt(record.offset) < BigInt(seen.offset)) first.set(key, record);
  }
  return offsets.map(({ topic, partition, committedOffset, endOffset, lag }) => {
    const key = keyOf(topic, partition);
    const window = windows.get(key);
    if (lag === 0 || window === undefined) return { topic, partition, seconds: 0, from: null };
    const from: LagSecondsFrom = BigInt(committedOffset) < 0n ? 'log-start' : 'committed-offset';
    const record = first.get(key);
    if (record === undefined) {
      // Nothing deliverable up to the log end: nothing to wait for. Short of it: not found, not zero.
      return { topic, partition, seconds: window.toOffset === endOffset ? 0 : null, from };
    }
    // A producer's clock ahead of ours must not make a backlog look younger than nothing.
    return { topic, partition, seconds: Math.max(0, (nowMs - Number(record.timestamp)) / 1000), from };
  });
}
