import { defineConsumer } from '@orderstream/messaging';
import { SERVICE } from '../config';

const declared = SERVICE.consumerGroups.find((group) => group.name === 'orders-stock-replica');
if (!declared) throw new Error('The system manifest declares no orders-stock-replica group for orders');

/**
 * The consumer of orders' stock replica, declared once: its own group (`orders-stock-replica`), apart
 * from the saga's, so the replica keeps its own offsets and a slow saga never delays it.
 *
 * - A group without committed offsets (the first start) reads `inventory.stock-levels` from the
 *   beginning, which on a compacted topic is every SKU's latest level; afterwards it resumes from its
 *   committed offsets, so a restart reads only what changed meanwhile.
 * - At-least-once, no inbox: applying a level is idempotent by its version (a replayed record is older
 *   than or equal to what the row holds and changes nothing), so an inbox row per record would only grow.
 * - Sequential per partition: a SKU's records stay in order, and there is little work per record.
 * - Retry: only the database can fail here, transiently; a few quick attempts, then one retry topic. A
 *   record that is not a stock level goes to the dead-letter topic at once.
 */
export const stockReplicaConsumer = defineConsumer({
  name: declared.name,
  delivery: 'at-least-once',
  retry: {
    immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
    delaysMs: [5_000],
  },
});
