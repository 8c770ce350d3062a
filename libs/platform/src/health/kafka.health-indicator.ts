import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, type HealthCheckAttempt } from '@nestjs/terminus';
import type { AdminPort, KafkaClient } from '@orderstream/messaging';
import { KAFKA_CLIENT } from '../platform.tokens';

/**
 * Readiness of the Kafka cluster: answers when the cluster answers `describeCluster` through the messaging
 * library's AdminPort. One admin connection per process, opened on the first check rather than at boot (so
 * a broker outage does not stop the service from starting) and reused by every later check.
 */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private readonly admin: AdminPort;
  private connection: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: KafkaClient,
    private readonly health: HealthIndicatorService,
  ) {
    this.admin = kafka.admin();
  }

  isHealthy<const Key extends string>(key: Key, timeoutMs: number): HealthCheckAttempt<Key> {
    return this.health
      .check(key)
      .attempt(async () => {
        await this.connected();
        const cluster = await this.admin.describeCluster();
        return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
      })
      .withTimeout(timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connection) {
      this.connection = undefined;
      await this.admin.disconnect();
    }
  }

  /**
   * Concurrent probes share one connection attempt, which may outlive a probe's timeout (the client retries
   * internally); a failed attempt is forgotten so the next probe tries again.
   */
  private connected(): Promise<void> {
    this.connection ??= this.admin.connect().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }
}
