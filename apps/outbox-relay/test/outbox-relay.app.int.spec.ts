/**
 * The Nest application as deployed: config from the environment's shape, PlatformModule's Kafka client and
 * metrics registry, one relay per source. A row written to a source's outbox reaches Kafka, and the relay's
 * metrics are served on /metrics.
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { loadConfig } from '@orderstream/platform';
import { createTestTopic, testInfrastructure, waitFor } from '@orderstream/testing';
import { AppModule } from '../src/app.module';
import { outboxRelayConfigSchema } from '../src/config';
import { OutboxRelayService } from '../src/relay/outbox-relay.service';
import {
  accountNoted,
  createSourceDatabase,
  header,
  TopicReader,
  type SourceDatabase,
} from './relay-support';

describe('outbox-relay application', () => {
  const infra = testInfrastructure();
  const client = createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'outbox-relay-app-test' });
  const admin = client.admin();
  let source: SourceDatabase;
  let app: INestApplication | undefined;
  let reader: TopicReader | undefined;

  beforeAll(async () => {
    await admin.connect();
    source = await createSourceDatabase(infra.postgresUrl, infra.schemaRegistryUrl);
  });
  afterAll(async () => {
    await reader?.stop();
    await app?.close();
    await source.dispose();
    await admin.disconnect();
  });

  it('publishes a source outbox and exposes the relay metrics', async () => {
    const config = loadConfig(outboxRelayConfigSchema, {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      OUTBOX_SOURCES: `accounts=${source.url}`,
      // Far longer than the test may take: only NOTIFY can wake the relay in time.
      OUTBOX_POLL_INTERVAL_MS: '60000',
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.create(AppModule.register(config), { logger: false });
    await app.listen(0, '127.0.0.1');
    expect(app.get(OutboxRelayService).status()).toEqual([{ source: 'accounts', role: 'leader' }]);

    const topic = await createTestTopic(admin, 'relay.app');
    reader = new TopicReader(client, topic);
    await reader.start();
    const entry = await source.write(accountNoted(topic), { accountId: 'acc-1', n: 1 });
    const [record] = await reader.waitForCount(1);
    expect(record && header(record, 'ce_id')).toBe(entry.messageId);

    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${await app?.getUrl()}/metrics`)).text();
        return text.includes(`outbox_relay_published_total{source="accounts",topic="${topic}"`) && text;
      },
      { description: 'the published counter on /metrics' },
    );
    expect(metrics).toMatch(
      new RegExp(
        `outbox_relay_published_total\\{source="accounts",topic="${topic}",service="outbox-relay"\\} 1`,
      ),
    );
    expect(metrics).toContain('outbox_relay_leader{source="accounts",service="outbox-relay"} 1');
    expect(metrics).toContain('outbox_relay_oldest_unpublished_age_seconds{source="accounts"');
  });
});
