/**
 * orders is not ready until its stock replica has caught up: until the replica's group has committed, on
 * every partition of `inventory.stock-levels`, at least the log-end offset that partition had when first
 * asked (at the first readiness probe after boot). Before that, an empty or old replica would refuse
 * orders for SKUs inventory has on sale. Like a Kafka Streams global table restoring before it runs.
 *
 * Once caught up it stays ready: later lag is the replica's normal staleness, which the saga tolerates
 * (inventory remains the authority on reservations).
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@orderstream/contracts';
import type { AdminPort, KafkaClient, PartitionOffset } from '@orderstream/messaging';
import { KAFKA_CLIENT, type ReadinessCheck } from '@orderstream/platform';
import { stockReplicaConsumer } from './stock-replica.consumer';

@Injectable()
export class StockReplicaReadiness implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'stock-replica';
  private readonly admin: AdminPort;
  private connection: Promise<void> | undefined;
  /** The log-end offsets to reach, read at the first check. */
  private marks: PartitionOffset[] | undefined;
  private caughtUp = false;

  constructor(@Inject(KAFKA_CLIENT) kafka: KafkaClient) {
    this.admin = kafka.admin();
  }

  async check(): Promise<{ ready: boolean; details: Record<string, unknown> }> {
    if (this.caughtUp) return { ready: true, details: { caughtUp: true } };
    this.connection ??= this.admin.connect();
    await this.connection;
    const marks = (this.marks ??= await this.admin.fetchEndOffsets(Topics.stockLevels));
    const committed = new Map(
      (await this.admin.fetchCommittedOffsets(stockReplicaConsumer.name, Topics.stockLevels)).map((p) => [
        p.partition,
        BigInt(p.offset),
      ]),
    );
    const behind = marks
      .filter(
        (mark) => (committed.get(mark.partition) ?? -1n) < BigInt(mark.offset) && BigInt(mark.offset) > 0n,
      )
      .map((mark) => ({
        partition: mark.partition,
        target: mark.offset,
        committed: String(committed.get(mark.partition) ?? -1n),
      }));
    this.caughtUp = behind.length === 0;
    return {
      ready: this.caughtUp,
      details: this.caughtUp ? { caughtUp: true } : { caughtUp: false, behind },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connection) {
      this.connection = undefined;
      await this.admin.disconnect();
    }
  }
}
