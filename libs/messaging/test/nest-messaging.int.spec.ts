/**
 * The Nest module against real Kafka and registry: an injectable class with `@HandleEvent` methods is
 * discovered at bootstrap and receives what the module's Publisher publishes; the health indicator is up
 * with the group's partitions; `app.close()` stops the consumer cleanly, with every offset committed; and
 * a group configured two different ways stops the app from starting.
 */
import { isDeepStrictEqual } from 'node:util';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { Registry } from 'prom-client';
import {
  defineConsumer,
  Publisher,
  SubscriptionConfigError,
  type AdminPort,
  type Envelope,
  type EventDefinition,
  type HandlerContext,
  type RetryPolicy,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';
import {
  HandleEvent,
  MessagingHealthIndicator,
  MessagingModule,
  type MessagingModuleOptions,
} from '../src/nest';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [1_000] };

describe('MessagingModule', () => {
  const infra = testInfrastructure();
  const admin: AdminPort = createKafkaJsClient({
    brokers: infra.kafkaBrokers,
    clientId: 'nest-test',
  }).admin();
  const apps: INestApplicationContext[] = [];

  beforeAll(() => admin.connect());
  afterAll(async () => {
    // close() is idempotent enough for apps a test closed itself: their hooks have run already.
    await Promise.allSettled(apps.map((app) => app.close()));
    await admin.disconnect();
  });

  async function scenario() {
    const topic = await createTestTopic(admin, 'nest.orders', { partitions: 2 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const options = (metricsRegistry?: Registry): MessagingModuleOptions => ({
      brokers: infra.kafkaBrokers,
      clientId: uniqueName('nest-app'),
      registryUrl: infra.schemaRegistryUrl,
      source: '/orderstream/test',
      publishes: [noted as EventDefinition<never>],
      consumer: { fetchMaxWaitMs: 100 },
      shutdownTimeoutMs: 10_000,
      ...(metricsRegistry ? { metricsRegistry } : {}),
    });
    return { topic, noted, options };
  }

  async function start(module: new () => unknown): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
    apps.push(app);
    return app;
  }

  it('runs a discovered handler, reports health with partitions, and stops cleanly on close', async () => {
    const { topic, noted, options } = await scenario();
    const groupId = uniqueName('nest-group');
    const registry = new Registry();
    const consumer = defineConsumer({ name: 'notes', delivery: 'at-least-once', retry });

    @Injectable()
    class NoteOrder {
      readonly received: { orderId: string; messageId: string; groupId: string }[] = [];

      @HandleEvent(consumer, noted)
      async handle(event: Envelope<OrderNoted>, context: HandlerContext): Promise<void> {
        this.received.push({
          orderId: event.data.orderId,
          messageId: event.id,
          groupId: context.message.groupId,
        });
      }
    }

    // The group id comes from configuration, not from the consumer's name.
    @Module({
      imports: [MessagingModule.forRoot({ ...options(registry), groupIds: { notes: groupId } })],
      providers: [NoteOrder],
    })
    class AppModule {}

    const app = await start(AppModule);
    const health = app.get(MessagingHealthIndicator);
    const expectedUp = {
      messaging: {
        status: 'up',
        producer: 'connected',
        groups: {
          [groupId]: { state: 'joined', partitions: { [topic]: [0, 1], [`${groupId}.retry.1`]: [0, 1] } },
        },
      },
    };
    // A probe that throws counts as "not yet"; its message (the last health seen) ends up in a timeout.
    await waitFor(
      () => {
        const seen = health.isHealthy('messaging');
        if (!isDeepStrictEqual(seen, expectedUp)) throw new Error(JSON.stringify(seen));
        return true;
      },
      {
        description: 'the health indicator to report the joined group with its partitions',
      },
    );
    expect(health.isHealthy('messaging')).toEqual(expectedUp);

    const published = await app.get(Publisher).publish(noted, { orderId: 'o-1', amountCents: 5, note: null });
    const handler = app.get(NoteOrder);
    await waitFor(() => handler.received.length === 1, { description: 'the handler to receive the event' });
    expect(handler.received).toEqual([{ orderId: 'o-1', messageId: published.envelope.id, groupId }]);
    const handled = async () =>
      (await registry.getMetricsAsJSON()).find((m) => m.name === 'messaging_messages_succeeded_total')
        ?.values;
    await waitFor(async () => (await handled())?.length === 1, {
      description: 'the handled counter in the service registry',
    });
    expect((await handled())?.map((v) => ({ labels: v.labels, value: v.value }))).toEqual([
      { labels: { group: groupId, topic, type: noted.type }, value: 1 },
    ]);

    await app.close();
    const [committed, ends] = await Promise.all([
      admin.fetchCommittedOffsets(groupId, topic),
      admin.fetchEndOffsets(topic),
    ]);
    const byPartition = (xs: { partition: number; offset: string }[]) =>
      [...xs].sort((a, b) => a.partition - b.partition).map((x) => x.offset);
    const endOffsets = byPartition(ends);
    expect(endOffsets.filter((o) => o !== '0')).toEqual(['1']);
    // The partition that got the event is committed at its end; the empty one has nothing to commit.
    expect(byPartition(committed)).toEqual(endOffsets.map((o) => (o === '0' ? '-1' : o)));
    expect(health.isHealthy('messaging')).toEqual({
      messaging: {
        status: 'down',
        producer: 'disconnected',
        groups: { [groupId]: { state: 'stopped', partitions: {} } },
      },
    });
  });

  it('refuses to start when two consumer definitions would run as one consumer group', async () => {
    const { noted, options } = await scenario();
    const groupId = uniqueName('nest-conflict');
    const first = defineConsumer({ name: groupId, delivery: 'at-least-once', retry });
    const second = defineConsumer({ name: groupId, delivery: 'at-most-once', retry });

    @Injectable()
    class First {
      @HandleEvent(first, noted)
      handle(): Promise<void> {
        return Promise.resolve();
      }
    }

    @Injectable()
    class Second {
      @HandleEvent(second, noted)
      handle(): Promise<void> {
        return Promise.resolve();
      }
    }

    @Module({ imports: [MessagingModule.forRoot(options())], providers: [First, Second] })
    class AppModule {}

    const starting = start(AppModule);
    await expect(starting).rejects.toBeInstanceOf(SubscriptionConfigError);
    await expect(starting).rejects.toThrow(
      new RegExp(
        `Consumer group "${groupId}" is declared by two consumer definitions \\(First.handle uses "${groupId}", Second.handle uses "${groupId}"\\)`,
      ),
    );
    expect((await admin.listTopics()).filter((t) => t.startsWith(groupId))).toEqual([]);
  });
});
