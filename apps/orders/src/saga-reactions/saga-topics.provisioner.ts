/**
 * Creates the saga's topics when the cluster does not have them yet (topics are never auto-created). The
 * orders service writes to orders.events and consumes payments.events and inventory.events; a consumer
 * group cannot subscribe to a topic that does not exist, and nothing orders the start of the services, so
 * each service makes sure of the topics it touches. Creating an existing topic is a no-op, whichever
 * service came first decides the partition count. Runs in onModuleInit, before the messaging module
 * subscribes (onApplicationBootstrap).
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@orderstream/contracts';
import type { KafkaClient } from '@orderstream/messaging';
import { KAFKA_CLIENT } from '@orderstream/platform';

export const SAGA_TOPIC_PARTITIONS = Symbol('SAGA_TOPIC_PARTITIONS');

@Injectable()
export class SagaTopicsProvisioner implements OnModuleInit {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: KafkaClient,
    @Inject(SAGA_TOPIC_PARTITIONS) private readonly partitions: number,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.client.admin();
    await admin.connect();
    try {
      await admin.createTopics(
        [Topics.orders, Topics.payments, Topics.inventory].map((topic) => ({
          topic,
          partitions: this.partitions,
        })),
      );
    } finally {
      await admin.disconnect();
    }
  }
}
