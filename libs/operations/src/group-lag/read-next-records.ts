/**
 * Reads the records `describe` ages the lag by, with the messaging library's `readRecords` (a throwaway
 * group that seeks, never commits, and is deleted afterwards). read_committed, like the services'
 * consumers: an aborted record is not one a consumer waits on.
 */
import { readRecords, type ConsumedRecord, type KafkaClient, type RecordRange } from '@orderstream/messaging';

/**
 * A window that ends on records nobody gets (a commit marker) is only done once nothing arrived for the
 * idle time; a second is plenty for one fetch round on a healthy broker and keeps `describe` quick.
 */
const IDLE_MS = 1_000;

export function readNextRecords(
  client: KafkaClient,
  ranges: readonly RecordRange[],
): Promise<ConsumedRecord[]> {
  if (ranges.length === 0) return Promise.resolve([]);
  return readRecords(client, ranges, { idleMs: IDLE_MS, isolation: 'read_committed' });
}
