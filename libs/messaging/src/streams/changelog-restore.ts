/**
 * Restoring a task's stores from their changelogs. Kafka's end offset cannot say when a read_committed
 * reader has seen everything (the last offsets may be commit markers or aborted records it never gets), so
 * the task first writes a barrier record with a fresh id to each changelog partition, committed through the
 * producer that now owns the task (which also fenced any older owner). Everything committed before it lies
 * before it in the partition, so the restore reads until it meets its own barrier, and no further.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient, OutgoingRecord } from '../ports/kafka-client.port';
import { BARRIER_KEY, type KeyValueStore } from './key-value-store';

/** The header of a barrier record; its value is the barrier's id. */
export const BARRIER_HEADER = 'x-stream-barrier';

export function barrierRecord(store: KeyValueStore, id: string): OutgoingRecord {
  return { key: BARRIER_KEY, value: null, partition: store.partition, headers: { [BARRIER_HEADER]: id } };
}

export interface RestoreOptions {
  client: KafkaClient;
  /** The restore reads as a group of its own, `<applicationId>.restore.<uuid>`, and never commits. */
  applicationId: string;
  /** The stores of one task, all on the same partition of their changelogs, by changelog topic. */
  stores: readonly KeyValueStore[];
  /** The barrier id written to each store's changelog partition. */
  barrierId: string;
}

/** Reads each store's changelog partition up to the barrier; returns how many records it applied. */
export async function restoreStores(options: RestoreOptions): Promise<number> {
  const { client, stores, barrierId } = options;
  const partition = stores[0]!.partition;
  const byTopic = new Map(stores.map((s) => [s.changelogTopic, s]));
  const waiting = new Set(byTopic.keys());
  let applied = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const consumer = client.consumer({
    groupId: `${options.applicationId}.restore.${randomUUID()}`,
    isolation: 'read_committed',
    fetchMaxWaitMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe([...byTopic.keys()], { fromBeginning: true });
    // The only member of its group gets every partition; it reads the task's own and leaves the rest.
    consumer.on('group-join', ({ assignments }) => {
      const others = assignments.map((a) => ({
        topic: a.topic,
        partitions: (a.partitions ?? []).filter((p) => p !== partition),
      }));
      consumer.pause(others.filter((o) => o.partitions.length > 0));
    });
    await consumer.run({
      partitionsConsumedConcurrently: byTopic.size,
      eachBatch: async (batch, controls) => {
        if (batch.partition !== partition || !waiting.has(batch.topic)) return;
        const store = byTopic.get(batch.topic)!;
        for (const record of batch.records) {
          const barrier = record.headers[BARRIER_HEADER];
          if (barrier !== undefined) {
            if (barrier.toString('utf8') === barrierId) {
              waiting.delete(batch.topic);
              if (waiting.size === 0) finished();
              return;
            }
          } else if (record.key !== null) {
            store.restore(record.key.toString('utf8'), record.value);
            applied++;
          }
          controls.resolveOffset(record.offset);
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return applied;
}
