/**
 * kafkajs 2.2.4 lets records of aborted transactions through to a read_committed consumer. Its filter
 * (`consumer/filterAbortedMessages.js`) takes at most one aborted transaction into account per record it
 * looks at (an `if` where the Java client has a `while`), so when a fetch starts after the first offsets of
 * two or more aborted transactions (several transactional producers writing one partition, a fetch that
 * resumes inside them) the later ones are taken into account too late, and their records are handed out.
 * Found by the sales-analytics crash test: totals too high after SIGKILLs inside transactions.
 *
 * The fix marks the records of aborted transactions right after a fetch response is decoded, with the Java
 * client's algorithm (aborted transactions ordered by first offset; every one whose first offset is at or
 * before a record's is open; an abort marker closes its producer's): each such record is given a producer id
 * of its own, which becomes the response's only aborted transaction, starting before every record. kafkajs's
 * filter then drops exactly those records and nothing else; its offset bookkeeping sees the same records as
 * before (nothing is removed from the response), so a fetch of nothing but aborted records still moves on.
 */
import { createRequire } from 'node:module';

interface KafkaJsFetchedRecord {
  offset: string;
  key?: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

export interface KafkaJsFetchedPartition {
  abortedTransactions?: { producerId: string; firstOffset: string }[];
  messages: KafkaJsFetchedRecord[];
}

interface FetchResponseModule {
  decode(rawData: Buffer): Promise<{ responses: { partitions: KafkaJsFetchedPartition[] }[] }>;
}

/** The producer id given to records of aborted transactions: no real producer has it (ids are >= 0). */
export const ABORTED_PRODUCER_ID = '-2';
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);
const PATCHED = Symbol.for('orderstream.kafkajs.abortedTransactionsPatched');

/** Marks the records of aborted transactions of one partition of a fetch response (see above). */
export function markAbortedRecords(partition: KafkaJsFetchedPartition): void {
  const aborted = partition.abortedTransactions ?? [];
  if (aborted.length === 0) return;
  const queue = [...aborted].sort((a, b) => {
    const d = BigInt(a.firstOffset) - BigInt(b.firstOffset);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  const open = new Set<string>();
  let next = 0;
  for (const record of partition.messages) {
    const offset = BigInt(record.offset);
    while (next < queue.length && BigInt(queue[next]!.firstOffset) <= offset)
      open.add(queue[next++]!.producerId);
    const context = record.batchContext;
    if (record.isControlRecord) {
      if (record.key && Buffer.from(record.key).equals(ABORT_MARKER_KEY)) open.delete(context.producerId);
      continue;
    }
    if (context.inTransaction && open.has(context.producerId)) {
      record.batchContext = { ...context, producerId: ABORTED_PRODUCER_ID };
    }
  }
  partition.abortedTransactions = [{ producerId: ABORTED_PRODUCER_ID, firstOffset: '-1' }];
}

const requireKafkaJs = createRequire(__filename);

/** Wraps the decode of every fetch response version a Kafka 4 broker may answer (v4–v11). */
export function fixAbortedTransactionFilter(): void {
  for (let version = 4; version <= 11; version++) {
    const module = requireKafkaJs(
      `kafkajs/src/protocol/requests/fetch/v${version}/response`,
    ) as FetchResponseModule & {
      [PATCHED]?: true;
    };
    if (module[PATCHED]) continue;
    const decode = module.decode;
    module.decode = async (rawData) => {
      const decoded = await decode(rawData);
      for (const response of decoded.responses)
        for (const partition of response.partitions) markAbortedRecords(partition);
      return decoded;
    };
    module[PATCHED] = true;
  }
}

fixAbortedTransactionFilter();
