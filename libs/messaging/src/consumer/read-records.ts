/**
 * Reads given offset ranges of given partitions once, without a consumer group of its own to keep: the
 * operator's view of a topic (a dead-letter topic's contents, the record at a group's committed offset).
 *
 * The port's consumers always belong to a group, so the reader joins a throwaway one, seeks each assigned
 * partition to the start of its range, never commits, and deletes the group when it is done. Partitions
 * of the subscribed topics that no range names are paused at once. A range is done when a record at or
 * beyond its end was seen; one whose tail holds no deliverable record (transaction markers, aborted
 * records under read_committed) is done once nothing arrived for `idleMs`.
 */
import { randomUUID } from 'node:crypto';
import { TransportError } from '../errors/messaging.error';
import type { ConsumedRecord, KafkaClient } from '../ports/kafka-client.port';

export interface RecordRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  fromOffset: string;
  /** First offset not to read (exclusive), usually the log end taken before reading. */
  toOffset: string;
}

export interface ReadRecordsOptions {
  /** Stop once this many records were read. Default: no limit. */
  maxRecords?: number;
  /** How long nothing new may arrive before the unfinished ranges count as done. Default 2000 ms. */
  idleMs?: number;
  /** Upper bound of the whole read, joining the group included. Default 30 000 ms. */
  timeoutMs?: number;
  isolation?: 'read_committed' | 'read_uncommitted';
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

const byPosition = (a: ConsumedRecord, b: ConsumedRecord): number =>
  a.topic !== b.topic
    ? a.topic < b.topic
      ? -1
      : 1
    : a.partition !== b.partition
      ? a.partition - b.partition
      : Number(BigInt(a.offset) - BigInt(b.offset));

/** The records of the ranges in topic, partition and offset order. */
export async function readRecords(
  client: KafkaClient,
  ranges: readonly RecordRange[],
  options: ReadRecordsOptions = {},
): Promise<ConsumedRecord[]> {
  const open = new Map(
    ranges
      .filter((r) => BigInt(r.fromOffset) < BigInt(r.toOffset))
      .map((r) => [keyOf(r.topic, r.partition), r] as const),
  );
  if (open.size === 0) return [];
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const idleMs = options.idleMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const topics = [...new Set([...open.values()].map((r) => r.topic))];
  const groupId = `orderstream-reader-${randomUUID()}`;
  const consumer = client.consumer({
    groupId,
    fetchMaxWaitMs: 100,
    isolation: options.isolation,
    // A reader whose process dies mid-read holds its group only this long (the broker's minimum is 6 s).
    sessionTimeoutMs: 10_000,
  });
  const records: ConsumedRecord[] = [];

  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(finish, idleMs);
  };
  const timeout = setTimeout(
    () => fail(new TransportError(`Reading ${topics.join(', ')} did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const done = (): boolean => open.size === 0 || records.length >= maxRecords;

  consumer.on('group-join', ({ assignments }) => {
    const unwanted: { topic: string; partitions: number[] }[] = [];
    for (const { topic, partitions = [] } of assignments) {
      const skip = partitions.filter((p) => !open.has(keyOf(topic, p)));
      if (skip.length > 0) unwanted.push({ topic, partitions: skip });
      for (const partition of partitions) {
        const range = open.get(keyOf(topic, partition));
        if (range) consumer.seek(topic, partition, range.fromOffset);
      }
    }
    if (unwanted.length > 0) consumer.pause(unwanted);
    touch();
  });
  consumer.on('crash', ({ error, restart }) => {
    if (!restart) fail(error);
  });

  try {
    await consumer.connect();
    await consumer.subscribe(topics, { fromBeginning: true });
    await consumer.run({
      eachBatch: async (batch, controls) => {
        const key = keyOf(batch.topic, batch.partition);
        const range = open.get(key);
        for (const record of batch.records) {
          controls.resolveOffset(record.offset);
          if (range === undefined || done()) continue;
          const offset = BigInt(record.offset);
          if (offset < BigInt(range.fromOffset)) continue;
          if (offset >= BigInt(range.toOffset)) {
            open.delete(key);
            break;
          }
          records.push(record);
          if (offset + 1n >= BigInt(range.toOffset)) open.delete(key);
        }
        if (range !== undefined && !open.has(key)) {
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
        }
        if (done()) finish();
        else touch();
      },
    });
    await finished;
  } finally {
    clearTimeout(timeout);
    clearTimeout(idleTimer);
    await consumer.disconnect();
    await deleteReaderGroup(client, groupId);
  }
  return records.sort(byPosition).slice(0, maxRecords);
}

/** The group never committed, so the coordinator forgets it anyway; deleting it keeps listings clean now. */
async function deleteReaderGroup(client: KafkaClient, groupId: string): Promise<void> {
  const admin = client.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // Best effort: a group that is already gone, or a broker that is, is no reason to fail the read.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
