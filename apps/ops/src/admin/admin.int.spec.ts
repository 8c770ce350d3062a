/**
 * The admin API against the real stack: refused without the right bearer token (401 problem+json), a
 * redrive without a selection refused (422), a dead-lettered event listed by error code and shown with
 * its payload decoded through the registry, a dry run and a redrive to the failing group's retry topic,
 * and every action in the audit trail under the token's name. Without tokens the admin port stays shut.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { ordersEvents } from '@orderstream/contracts';
import {
  AvroCodec,
  DEAD_LETTER_HEADERS,
  ensureFailureTopics,
  EnvelopeCodec,
  namespacedKafkaClient,
  type AdminPort,
  type EventDefinition,
  type KafkaClient,
  type ProducerPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { operationsDataSourceOptions } from '@orderstream/operations';
import { startServiceUnderTest, type ServiceUnderTest } from '@orderstream/platform/testing';
import { createMigratedDatabase, freePort, testInfrastructure, uniqueName } from '@orderstream/testing';
import { AppModule } from '../app.module';
import { opsConfigSchema, SERVICE_NAME } from '../config';

const TOKEN = 'alice-token-0123456789';

function startOps(env: Record<string, string>): Promise<ServiceUnderTest> {
  const infra = testInfrastructure();
  return startServiceUnderTest({
    name: SERVICE_NAME,
    configSchema: opsConfigSchema,
    rootModule: (config) => AppModule.register(config),
    consumerGroup: 'ops',
    infrastructure: infra,
    topics: [],
    env,
    createDatabase: () =>
      createMigratedDatabase(infra.postgresUrl, 'ops_service', operationsDataSourceOptions),
  });
}

describe('ops admin API', () => {
  const infra = testInfrastructure();
  let service: ServiceUnderTest;
  let adminUrl: string;
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;

  beforeAll(async () => {
    const port = await freePort();
    service = await startOps({ OPS_ADMIN_TOKENS: `alice=${TOKEN}`, OPS_ADMIN_PORT: String(port) });
    adminUrl = `http://127.0.0.1:${port}`;
    client = namespacedKafkaClient(
      createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'ops-admin-test' }),
      service.namespace,
    );
    admin = client.admin();
    producer = client.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await service?.close();
  });

  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = TOKEN, ...rest } = init;
    return fetch(`${adminUrl}${path}`, {
      ...rest,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(rest.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  };

  it('refuses a request without the right bearer token', async () => {
    for (const token of [null, 'not-the-token-at-all']) {
      const response = await call('/api/dead-letters', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orderstream-ops"');
    }
    // The console's files are not secret; the data behind them is.
    const page = await call('/', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('lists, shows, previews and redrives a dead-lettered event, and audits each step', async () => {
    const groupId = uniqueName('ops-api');
    const definition = ordersEvents.OrderPlaced as unknown as EventDefinition<unknown>;
    await ensureFailureTopics(admin, groupId, { policy: { delaysMs: [1_000] }, partitions: 1 });
    const orderId = randomUUID();
    const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const record = await codec.encode(
      definition,
      {
        orderId,
        customerId: 'customer-1',
        lines: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 1_250 }],
        totalCents: 2_500,
        currency: 'EUR',
        placedAt: Date.now(),
      },
      { source: '/orderstream/orders' },
    );
    await producer.send(`${groupId}.dlt`, [
      {
        ...record,
        headers: {
          ...record.headers,
          'x-original-topic': definition.topic,
          'x-original-partition': '0',
          'x-original-offset': '7',
          [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
          [DEAD_LETTER_HEADERS.reason]: 'non-retriable',
          [DEAD_LETTER_HEADERS.errorCode]: 'VALIDATION_FAILED',
          [DEAD_LETTER_HEADERS.attempts]: '1',
        },
      },
    ]);
    const id = `${groupId}.dlt:0:0`;

    const listed = await call(`/api/dead-letters?group=${groupId}`);
    expect(listed.status).toBe(200);
    const listing = (await listed.json()) as {
      groups: unknown[];
      messages: { id: string; status: string }[];
    };
    expect(listing.groups).toEqual([
      {
        groupId,
        topic: `${groupId}.dlt`,
        total: 1,
        pending: 1,
        byErrorCode: [{ errorCode: 'VALIDATION_FAILED', count: 1 }],
      },
    ]);
    expect(listing.messages.map((m) => [m.id, m.status])).toEqual([[id, 'failed']]);

    const shown = (await (await call(`/api/dead-letters/${encodeURIComponent(id)}`)).json()) as {
      headers: Record<string, string>;
      payload: { decoded: { type: string; data: { orderId: string; totalCents: number } } };
    };
    expect(shown.headers['x-dlt-error-code']).toBe('VALIDATION_FAILED');
    expect(shown.payload.decoded.type).toBe(definition.type);
    expect(shown.payload.decoded.data).toMatchObject({ orderId, totalCents: 2_500 });

    const missingSelection = await call('/api/dead-letters/redrive', {
      method: 'POST',
      body: JSON.stringify({ groupId }),
    });
    expect(missingSelection.status).toBe(422);
    expect(missingSelection.headers.get('content-type')).toContain('application/problem+json');

    const redrive = (dryRun: boolean) =>
      call('/api/dead-letters/redrive', {
        method: 'POST',
        body: JSON.stringify({ groupId, filter: { ids: [id] }, dryRun }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(await redrive(true)).toMatchObject({ status: 200, body: { dryRun: true, redriven: 1 } });
    expect(await admin.fetchEndOffsets(`${groupId}.retry.1`)).toEqual([{ partition: 0, offset: '0' }]);
    expect(await redrive(false)).toMatchObject({
      status: 200,
      body: { dryRun: false, redriven: 1, job: { status: 'completed', actor: 'alice' } },
    });
    // One record and its transaction's commit marker.
    expect(await admin.fetchEndOffsets(`${groupId}.retry.1`)).toEqual([{ partition: 0, offset: '2' }]);

    const audit = (await (await call('/api/audit?limit=10')).json()) as {
      items: {
        actor: { name: string; via: string };
        action: string;
        target: string;
        dryRun: boolean;
        affected: number;
      }[];
    };
    expect(
      audit.items
        .filter((a) => a.target === groupId || a.target === id)
        .map((a) => [a.actor.name, a.actor.via, a.action, a.dryRun, a.affected]),
    ).toEqual([
      ['alice', 'api', 'dlt.redrive', false, 1],
      ['alice', 'api', 'dlt.redrive', true, 1],
      ['alice', 'api', 'dlt.show', false, 1],
    ]);
  });

  it('keeps the admin port shut when no token is configured', async () => {
    const port = await freePort();
    const closed = await startOps({ OPS_ADMIN_PORT: String(port) });
    try {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
      expect((await fetch(`${closed.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
