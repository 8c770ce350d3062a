/**
 * Test support: the orders service in-process against real infrastructure, in a database of the test's
 * own and in a Kafka namespace of its own (`KAFKA_NAMESPACE`): its topics, group and retry topics are the
 * test's alone. The topics orders consumes belong to payments and inventory, which do not run here, so the
 * test creates them in the namespace as the manifest declares them; orders provisions its own.
 */
import type { INestApplication } from '@nestjs/common';
import { AvroCodec, namespacedKafkaClient, Publisher } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { serviceOf, topicSpec } from '@orderstream/system';
import { startTestApp } from '@orderstream/platform/testing';
import { createTestDatabase, testInfrastructure, uniqueName, type TestDatabase } from '@orderstream/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { ordersConfigSchema } from '../config';

export interface OrdersTestApp {
  app: INestApplication;
  /** The Kafka namespace of the service; a test's own Kafka client must use it too. */
  namespace: string;
  baseUrl: string;
  dataSource: DataSource;
  publisher: Publisher;
  close(): Promise<void>;
  outbox(orderId: string): Promise<OutboxRow[]>;
}

export interface OutboxRow {
  topic: string;
  key: string;
  type: string;
  aggregateType: string;
  headers: Record<string, unknown>;
  data: unknown;
}

export async function startOrdersApp(env: Record<string, string> = {}): Promise<OrdersTestApp> {
  const infra = testInfrastructure();
  const namespace = uniqueName('orders-test');
  const admin = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: namespace }),
    namespace,
  ).admin();
  await admin.connect();
  await admin.createTopics(
    ['payments', 'inventory'].flatMap((service) => serviceOf(service).topics.map(topicSpec)),
  );
  const database: TestDatabase = await createTestDatabase(infra.postgresUrl, 'orders_app');
  const { app, baseUrl } = await startTestApp(
    { configSchema: ordersConfigSchema, rootModule: (config) => AppModule.register(config) },
    {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      DATABASE_URL: database.url,
      KAFKA_CLIENT_ID: namespace,
      KAFKA_NAMESPACE: namespace,
      LOG_LEVEL: process.env.ORDERS_TEST_LOG_LEVEL ?? 'silent',
      ...env,
    },
  );
  const dataSource = app.get(DataSource);
  const codec = app.get(AvroCodec);
  return {
    app,
    baseUrl,
    dataSource,
    publisher: app.get(Publisher),
    namespace,
    close: async () => {
      await app.close();
      await database.drop();
      const groups = (await admin.listGroups()).map((g) => g.groupId);
      if (groups.length > 0) await admin.deleteGroups(groups);
      await admin.deleteTopics(await admin.listTopics());
      await admin.disconnect();
    },
    outbox: async (orderId) => {
      const rows = (await dataSource.query(
        `SELECT topic, key, event_type, aggregate_type, headers, payload
           FROM messaging_outbox WHERE aggregate_id = $1 ORDER BY sequence`,
        [orderId],
      )) as {
        topic: string;
        key: string;
        event_type: string;
        aggregate_type: string;
        headers: Record<string, unknown>;
        payload: Buffer;
      }[];
      return Promise.all(
        rows.map(async (row) => ({
          topic: row.topic,
          key: row.key,
          type: row.event_type,
          aggregateType: row.aggregate_type,
          headers: row.headers,
          data: await codec.decode(row.payload),
        })),
      );
    },
  };
}

export interface TestResponse {
  status: number;
  contentType: string | null;
  location: string | null;
  /** The parsed JSON body; tests narrow it to the type they expect. */
  body: unknown;
}

/** `fetch` with a JSON body; returns status, content type and the parsed body. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined,
  };
}
