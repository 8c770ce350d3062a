/**
 * Learns when each order reached its final state by consuming `orders.events`, not by polling
 * `GET /orders/{id}`: polling would add HTTP and database load to the system being measured, and its
 * interval would blur the latencies. The orders service publishes exactly one terminal event per settled
 * order (OrderConfirmed, OrderRejected or OrderCancelled, by `ce_type`), keyed by order id.
 *
 * The probe reads with a throwaway group of its own and starts at the end offsets it was given, so it never
 * re-reads the topic's history. Its own fetch wait is part of every measured latency (a few ms).
 */
import { randomUUID } from 'node:crypto';
import type { ConsumerPort, KafkaClient } from '@orderstream/messaging';

const ORDERS_EVENTS = 'orders.events';
const TERMINAL_TYPES: Record<string, string> = {
  'orderstream.orders.OrderConfirmed': 'CONFIRMED',
  'orderstream.orders.OrderRejected': 'REJECTED',
  'orderstream.orders.OrderCancelled': 'CANCELLED',
};

export interface OrderOutcome {
  status: string;
  /** `performance.now()` when the probe saw the terminal event. */
  at: number;
}

export class OrderOutcomeProbe {
  private readonly outcomes = new Map<string, OrderOutcome>();
  private readonly waiters = new Map<string, (outcome: OrderOutcome) => void>();
  private consumer: ConsumerPort | undefined;

  constructor(private readonly client: KafkaClient) {}

  /** Starts reading at `startOffsets` (partition → offset) and resolves once the group assigned it. */
  async start(startOffsets: Map<number, string>): Promise<void> {
    const consumer = this.client.consumer({
      groupId: `saga-bench-probe-${randomUUID()}`,
      fetchMaxWaitMs: 50,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe([ORDERS_EVENTS], { fromBeginning: true });
    const joined = new Promise<void>((resolve) => {
      consumer.on('group-join', ({ assignments }) => {
        for (const { topic, partitions = [] } of assignments) {
          for (const partition of partitions) {
            consumer.seek(topic, partition, startOffsets.get(partition) ?? '0');
          }
        }
        resolve();
      });
    });
    await consumer.run({
      eachRecord: async (record) => {
        const type = record.headers['ce_type']?.toString('utf8');
        const status = type === undefined ? undefined : TERMINAL_TYPES[type];
        if (!status || !record.key) return;
        const orderId = record.key.toString('utf8');
        if (this.outcomes.has(orderId)) return;
        const outcome = { status, at: performance.now() };
        this.outcomes.set(orderId, outcome);
        this.waiters.get(orderId)?.(outcome);
        this.waiters.delete(orderId);
      },
    });
    await joined;
  }

  /** Resolves when the order's terminal event has been seen (at once if it was seen already). */
  outcome(orderId: string): Promise<OrderOutcome> {
    const seen = this.outcomes.get(orderId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.set(orderId, resolve));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
