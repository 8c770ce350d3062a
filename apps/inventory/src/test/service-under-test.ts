/**
 * Integration-test support: the inventory Nest application in-process against the real stack, in a
 * database of the test's own, plus what a test needs around it: a Publisher standing in for the other
 * services' outbox relay, and readers of this service's outbox and inbox.
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Topics } from '@orderstream/contracts';
import {
  AvroCodec,
  createKafkaJsClient,
  Publisher,
  type AdminPort,
  type KafkaClient,
} from '@orderstream/messaging';
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import type { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { inventoryConfigSchema } from '../config';
import { CONSUMER_GROUP } from '../consumer-group';
import { inventoryDataSourceOptions } from '../database';
import { setupOpenApi } from '../openapi';

export interface OutboxRow {
  topic: string;
  key: string;
  type: string;
  data: unknown;
}

export interface ServiceUnderTest {
  app: INestApplication;
  baseUrl: string;
  dataSource: DataSource;
  /** Publishes as another service's relay would. */
  publisher: Publisher;
  /** The decoded outbox rows of one aggregate (order), in outbox order. */
  outboxOf(orderId: string): Promise<OutboxRow[]>;
  /** How many of these message ids the service's consumer group has handled (its inbox rows). */
  handledCount(messageIds: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * The saga's topics are not auto-created (brokers run with auto.create.topics.enable=false) and nothing
 * else provisions them for a test run, so the first test to need one creates it; an existing one is kept.
 */
async function ensureSagaTopics(admin: AdminPort): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = Object.values(Topics).filter((topic) => !existing.has(topic));
  if (missing.length > 0) await admin.createTopics(missing.map((topic) => ({ topic, partitions: 3 })));
}

export async function startInventory(): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  const client: KafkaClient = createKafkaJsClient({
    brokers: infra.kafkaBrokers,
    clientId: 'inventory-test',
  });
  const admin = client.admin();
  await admin.connect();
  let db: MigratedDatabase | undefined;
  let app: INestApplication | undefined;
  let publisher: Publisher | undefined;
  try {
    await ensureSagaTopics(admin);
    db = await createMigratedDatabase(infra.postgresUrl, 'inventory_service', inventoryDataSourceOptions);
    const url = (db.dataSource.options as { url: string }).url;
    const config = inventoryConfigSchema.parse({
      LOG_LEVEL: 'error',
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      DATABASE_URL: url,
    });
    app = await NestFactory.create(AppModule.register(config), { logger: false, abortOnError: false });
    setupOpenApi(app);
    // Port 0: the OS picks a free one, whatever config.PORT says.
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
    publisher = new Publisher({ client, codec, source: '/orderstream/test' });
    await publisher.connect();

    const dataSource = db.dataSource;
    const started = { app, db, publisher };
    return {
      app,
      baseUrl: `http://127.0.0.1:${address.port}`,
      dataSource,
      publisher,
      async outboxOf(orderId) {
        const rows = (await dataSource.query(
          `SELECT topic, key, headers->>'ce_type' AS type, payload FROM messaging_outbox
            WHERE aggregate_id = $1 ORDER BY sequence`,
          [orderId],
        )) as { topic: string; key: string; type: string; payload: Buffer }[];
        return Promise.all(
          rows.map(async (r) => ({
            topic: r.topic,
            key: r.key,
            type: r.type,
            data: await codec.decode(r.payload),
          })),
        );
      },
      async handledCount(messageIds) {
        const [row] = (await dataSource.query(
          'SELECT count(*)::int AS n FROM messaging_inbox WHERE consumer_group = $1 AND message_id = ANY($2)',
          [CONSUMER_GROUP, messageIds],
        )) as { n: number }[];
        return row?.n ?? 0;
      },
      async close() {
        await started.app.close();
        await started.publisher.disconnect();
        await admin.disconnect();
        await started.db.dispose();
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
