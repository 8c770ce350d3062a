/**
 * Integration-test support: the sales-analytics service in-process against the real stack, in a Kafka
 * namespace of the test's own (its group, changelogs, repartition and output topics included), with a
 * publisher standing in for the orders service's relay and a read_committed reader of its output.
 */
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ordersEvents, salesAnalyticsEvents, Topics } from '@orderstream/contracts';
import {
  AvroCodec,
  EnvelopeCodec,
  EventRegistry,
  namespacedKafkaClient,
  Publisher,
  type ConsumedRecord,
  type Envelope,
  type KafkaClient,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { startTestApp } from '@orderstream/platform/testing';
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { salesAnalyticsConfigSchema } from '../config';

export interface SalesAnalyticsUnderTest {
  namespace: string;
  client: KafkaClient;
  publisher: Publisher;
  baseUrl: string;
  /** Starts the service again in the same namespace (after `stop`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Every record of a topic a read_committed reader sees, once `enough` holds, decoded where it is ours. */
  readCommitted(
    topic: string,
    enough: (records: ConsumedRecord[]) => boolean | Promise<boolean>,
  ): Promise<ConsumedRecord[]>;
  decode(record: ConsumedRecord): Promise<Envelope>;
  close(): Promise<void>;
}

export async function startSalesAnalytics(): Promise<SalesAnalyticsUnderTest> {
  const infra = testInfrastructure();
  const namespace = `sales-analytics-test-${randomBytes(4).toString('hex')}`;
  const client = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'sales-analytics-test' }),
    namespace,
  );
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic: Topics.orders, partitions: 6 }]);
  await admin.disconnect();
  const payloads = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  const publisher = new Publisher({ client, codec: payloads, source: '/orderstream/orders' });
  await publisher.connect();
  const codec = new EnvelopeCodec(payloads);
  const registry = new EventRegistry([
    ...Object.values(ordersEvents),
    ...Object.values(salesAnalyticsEvents),
  ] as never[]);

  const env = {
    LOG_LEVEL: process.env['SERVICE_TEST_LOG_LEVEL'] ?? 'error',
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_NAMESPACE: namespace,
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    SHUTDOWN_TIMEOUT_MS: '10000',
  };
  const definition = { configSchema: salesAnalyticsConfigSchema, rootModule: AppModule.register };
  let app: INestApplication | undefined;
  let baseUrl = '';
  const start = async () => {
    const started = await startTestApp(definition, env);
    app = started.app;
    baseUrl = started.baseUrl;
  };
  await start();

  const stop = async () => {
    await app?.close();
    app = undefined;
  };
  return {
    namespace,
    client,
    publisher,
    get baseUrl() {
      return baseUrl;
    },
    restart: start,
    stop,
    async readCommitted(topic, enough) {
      const records: ConsumedRecord[] = [];
      const consumer = client.consumer({
        groupId: uniqueName('reader'),
        isolation: 'read_committed',
        fetchMaxWaitMs: 100,
      });
      await consumer.connect();
      try {
        await consumer.subscribe([topic], { fromBeginning: true });
        await consumer.run({ eachRecord: async (r) => void records.push(r) });
        await waitFor(() => enough([...records]), { description: `records of ${topic}`, timeoutMs: 60_000 });
        return records;
      } finally {
        await consumer.disconnect();
      }
    },
    decode: (record) => codec.decode(record, registry),
    async close() {
      await stop();
      await publisher.disconnect();
    },
  };
}
