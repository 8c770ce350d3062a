/**
 * A messaging service (one wired with serviceMessagingModule) in-process against the real stack, in a
 * database of the test's own, plus what its integration tests need around it: a Publisher standing in for
 * the other services' outbox relay, and readers of this service's outbox and inbox.
 *
 * The infrastructure and the database come from the caller (in practice `testInfrastructure()` and
 * `createMigratedDatabase(…)` of @orderstream/testing): the platform library sits above the test harness
 * in the dependency rules and does not import it.
 */
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import {
  AvroCodec,
  deleteNamespaceContents,
  namespacedKafkaClient,
  Publisher,
  type AdminPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { ServiceConfig } from '../config/service-config.schema';
import { startTestApp, type TestAppDefinition } from './start-test-app';

export interface ServiceUnderTestOptions<S extends z.ZodType<ServiceConfig>> extends TestAppDefinition<S> {
  /** The service's name; the test's own Kafka client is `<name>-test`. */
  name: string;
  /** The service's consumer group: `handledCount` counts its inbox rows. */
  consumerGroup: string;
  /** Where the real stack is; `TestInfrastructure` of @orderstream/testing fits. */
  infrastructure: { kafkaBrokers: string[]; schemaRegistryUrl: string };
  /**
   * The topics of other services it consumes, created with 3 partitions in the test's namespace (the
   * service provisions its own, and finds it as declared if listed here too: 3 partitions, broker defaults).
   */
  topics: readonly string[];
  /**
   * Creates the test's own database with the service's migrations applied (`createMigratedDatabase` of
   * @orderstream/testing fits); the service connects to it by the URL of `dataSource`, and `close()`
   * disposes of it.
   */
  createDatabase(): Promise<{ dataSource: DataSource; dispose(): Promise<void> }>;
  /** Extra configuration, over the harness's (e.g. a short saga deadline). */
  env?: Record<string, string>;
  /** The Kafka namespace to run in; default a fresh one. A test that prepares the cluster first passes its own. */
  namespace?: string;
  /**
   * Runs once the topics exist and before the service starts, with the test's publisher: events the
   * service should find on its topics at boot (orders' stock levels, which its replica reads first).
   */
  beforeStart?(publisher: Publisher): Promise<void>;
}

export interface OutboxRow {
  topic: string;
  key: string;
  type: string;
  data: unknown;
}

/** An outbox row with what the relay publishes besides the event: its aggregate type and headers. */
export interface OutboxEntry extends OutboxRow {
  aggregateType: string;
  /** The envelope's headers as stored (ce_id, ce_type, causation-id, …). */
  headers: Record<string, unknown>;
}

export interface ServiceUnderTest {
  app: INestApplication;
  /** The Kafka namespace of the service and the test's client (`KAFKA_NAMESPACE`). */
  namespace: string;
  baseUrl: string;
  /** The test's own connection to the service's database. */
  dataSource: DataSource;
  /** Publishes as another service's relay would. */
  publisher: Publisher;
  /** The decoded outbox rows of one aggregate (order), in outbox order. */
  outboxOf(orderId: string): Promise<OutboxRow[]>;
  /** The same with each row's aggregate type and headers. */
  outboxEntriesOf(orderId: string): Promise<OutboxEntry[]>;
  /** How many of these message ids the service's consumer group has handled (its inbox rows). */
  handledCount(messageIds: readonly string[]): Promise<number>;
  /**
   * Stops the service and releases the test's clients and database; the namespace's topics and groups are
   * deleted unless `keepNamespace` (a restart test starts the service again on them).
   */
  close(options?: { keepNamespace?: boolean }): Promise<void>;
}

export async function startServiceUnderTest<S extends z.ZodType<ServiceConfig>>(
  options: ServiceUnderTestOptions<S>,
): Promise<ServiceUnderTest> {
  const { infrastructure } = options;
  // The service and the test's own client share a namespace no other test uses: its topics, groups and
  // retry/dead-letter topics are the test's alone, however many tests run at once.
  const namespace = options.namespace ?? `${options.name}-test-${randomBytes(4).toString('hex')}`;
  const client = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infrastructure.kafkaBrokers, clientId: `${options.name}-test` }),
    namespace,
  );
  const admin = client.admin();
  await admin.connect();
  let db: Awaited<ReturnType<typeof options.createDatabase>> | undefined;
  let app: INestApplication | undefined;
  let publisher: Publisher | undefined;
  try {
    await ensureTopics(admin, options.topics);
    const codec = new AvroCodec({ registryUrl: infrastructure.schemaRegistryUrl });
    publisher = new Publisher({ client, codec, source: '/orderstream/test' });
    await publisher.connect();
    await options.beforeStart?.(publisher);
    db = await options.createDatabase();
    const started = await startTestApp(options, {
      LOG_LEVEL: process.env['SERVICE_TEST_LOG_LEVEL'] ?? 'error',
      KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
      KAFKA_NAMESPACE: namespace,
      SCHEMA_REGISTRY_URL: infrastructure.schemaRegistryUrl,
      DATABASE_URL: urlOf(db.dataSource),
      ...options.env,
    });
    app = started.app;

    const { dataSource } = db;
    const resources = { app, db, publisher };
    const outboxEntriesOf = async (orderId: string): Promise<OutboxEntry[]> => {
      const rows = (await dataSource.query(
        `SELECT topic, key, headers->>'ce_type' AS type, aggregate_type, headers, payload FROM messaging_outbox
          WHERE aggregate_id = $1 ORDER BY sequence`,
        [orderId],
      )) as {
        topic: string;
        key: string;
        type: string;
        aggregate_type: string;
        headers: Record<string, unknown>;
        payload: Buffer | null;
      }[];
      return Promise.all(
        rows.map(async (r) => ({
          topic: r.topic,
          key: r.key,
          type: r.type,
          aggregateType: r.aggregate_type,
          headers: r.headers,
          // A tombstone has no payload: its data is null here.
          data: r.payload === null ? null : await codec.decode(r.payload),
        })),
      );
    };
    return {
      app,
      baseUrl: started.baseUrl,
      dataSource,
      publisher,
      outboxEntriesOf,
      async outboxOf(orderId) {
        const entries = await outboxEntriesOf(orderId);
        return entries.map(({ topic, key, type, data }) => ({ topic, key, type, data }));
      },
      async handledCount(messageIds) {
        const [row] = (await dataSource.query(
          'SELECT count(*)::int AS n FROM messaging_inbox WHERE consumer_group = $1 AND message_id = ANY($2)',
          [options.consumerGroup, messageIds],
        )) as { n: number }[];
        return row?.n ?? 0;
      },
      namespace,
      async close(closeOptions = {}) {
        await resources.app.close();
        await resources.publisher.disconnect();
        if (!closeOptions.keepNamespace) await deleteNamespaceContents(admin);
        await admin.disconnect();
        await resources.db.dispose();
      },
    };
  } catch (error) {
    await app?.close();
    await publisher?.disconnect();
    await admin.disconnect();
    await db?.dispose();
    throw error;
  }
}

/**
 * The saga's topics are not auto-created (brokers run with auto.create.topics.enable=false) and nothing
 * else provisions them for a test run, so the first test to need one creates it; an existing one is kept.
 */
async function ensureTopics(admin: AdminPort, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) await admin.createTopics(missing.map((topic) => ({ topic, partitions: 3 })));
}

function urlOf(dataSource: DataSource): string {
  const { options } = dataSource;
  if (options.type !== 'postgres' || options.url === undefined) {
    throw new Error('The service-under-test database must be a PostgreSQL data source configured by url');
  }
  return options.url;
}

export interface TestResponse {
  status: number;
  contentType: string | null;
  location: string | null;
  /** The parsed JSON body (the text when it is not JSON); tests narrow it to the type they expect. */
  body: unknown;
}

/** `fetch` with a JSON body (or `rawBody` as is); returns status, content type, location and the parsed body. */
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
  let parsed: unknown = undefined;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    body: parsed,
  };
}
