import { createRequire } from 'node:module';
import {
  ABORTED_PRODUCER_ID,
  markAbortedRecords,
  type KafkaJsFetchedPartition,
} from './aborted-transactions.patch';

const requireKafkaJs = createRequire(__filename);
type BatchClass = new (
  topic: string,
  fetchedOffset: string,
  partition: unknown,
) => { messages: { offset: string }[] };
const Batch = requireKafkaJs('kafkajs/src/consumer/batch') as BatchClass;

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);
const data = (offset: number, producerId: string, inTransaction = true) => ({
  offset: String(offset),
  key: Buffer.from('k'),
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, key: Buffer) => ({
  offset: String(offset),
  key,
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});

/**
 * A fetch from offset 10 of a partition three producers write transactionally: A's and B's transactions
 * began before 10 and were aborted; C's committed; D wrote without a transaction.
 */
function fetched(): KafkaJsFetchedPartition & { partition: number; highWatermark: string } {
  return {
    partition: 0,
    highWatermark: '20',
    abortedTransactions: [
      { producerId: 'B', firstOffset: '8' },
      { producerId: 'A', firstOffset: '5' },
    ],
    messages: [
      data(10, 'A'),
      data(11, 'B'),
      data(12, 'C'),
      data(13, 'D', false),
      data(14, 'B'),
      marker(15, 'A', ABORT),
      marker(16, 'C', COMMIT),
      data(17, 'A'),
      marker(18, 'B', ABORT),
      data(19, 'B'),
    ],
  };
}

const offsets = (partition: unknown) => new Batch('t', '10', partition).messages.map((m) => Number(m.offset));

describe('the aborted-transactions fix for kafkajs', () => {
  it('shows the kafkajs filter letting a record of an aborted transaction through', () => {
    // A's record at 10 is handed out: at offset 10 kafkajs took only one aborted transaction into account
    // (B's, listed first), and A's only at the next record.
    expect(offsets(fetched())).toEqual([10, 12, 13, 17, 19]);
  });

  it('drops exactly the records of aborted transactions, as the Java client does', () => {
    const partition = fetched();
    markAbortedRecords(partition);
    // 10 (A), 11 and 14 (B) were aborted; 12 (C) committed; 13 has no transaction; 17 is A's next
    // transaction after its abort marker, 19 B's.
    expect(offsets(partition)).toEqual([12, 13, 17, 19]);
    expect(partition.abortedTransactions).toEqual([{ producerId: ABORTED_PRODUCER_ID, firstOffset: '-1' }]);
  });

  it('leaves a response without aborted transactions as it is', () => {
    const partition = { ...fetched(), abortedTransactions: [] };
    markAbortedRecords(partition);
    expect(offsets(partition)).toEqual([10, 11, 12, 13, 14, 17, 19]);
  });
});
