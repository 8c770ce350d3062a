/**
 * A SIGKILL during a rebuild: order-history, the built service as a process of its own, is killed while the
 * new generation is part-way; started again, it resumes that generation from its group's committed offsets —
 * same generation, rows kept, not from zero — and serves it once caught up, with the read model the
 * killed process served before the rebuild.
 */
import { inventoryEvents, ordersEvents, paymentsEvents, Topics } from '@orderstream/contracts';
import { startService, type ServiceProcess } from '@orderstream/demo';
import {
  AvroCodec,
  deleteNamespaceContents,
  event,
  namespacedKafkaClient,
  Publisher,
  type BatchEvent,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  waitFor,
  type TestDatabase,
} from '@orderstream/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/** A local development token for this test only; never a real secret. */
const ADMIN_TOKEN = 'e2e-admin-token-not-a-secret';

/** `GET /admin/projections/order-history` as the service documents it (e2e never imports an app). */
interface GenerationStatus {
  generation: number;
  status: string;
  done?: number;
  target?: number;
  lag: number;
  resumes: number;
  resumedFrom: Record<string, Record<string, number>> | null;
}
interface ProjectionStatus {
  serving: GenerationStatus | null;
  building: GenerationStatus | null;
}

const ORDERS = 700;
const EVENTS_PER_ORDER = 4;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A confirmed saga's four events for each order, batched per topic (order within a topic is kept). */
function confirmedSagas(count: number): BatchEvent[] {
  const events: BatchEvent[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = randomUUID();
    const customerId = `customer-${i % 20}`;
    const items = [{ sku: 'SKU-RED', quantity: 1 }];
    events.push(
      event(ordersEvents.OrderPlaced, {
        orderId,
        customerId,
        lines: [{ sku: 'SKU-RED', quantity: 1, unitPriceCents: 900 }],
        totalCents: 900,
        currency: 'EUR',
        placedAt: Date.now(),
      }),
      event(paymentsEvents.PaymentAuthorized, {
        orderId,
        customerId,
        amountCents: 900,
        currency: 'EUR',
        items,
      }),
      event(inventoryEvents.StockReserved, { orderId, lines: items }),
      event(ordersEvents.OrderConfirmed, { orderId, customerId }),
    );
  }
  return events;
}

describe('a rebuild killed part-way', () => {
  const infra = testInfrastructure();
  const namespace = `order-history-crash-${randomBytes(4).toString('hex')}`;
  const client = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: 'rebuild-crash-test' }),
    namespace,
  );
  const kafkaAdmin = client.admin();
  const publisher = new Publisher({
    client,
    codec: new AvroCodec({ registryUrl: infra.schemaRegistryUrl }),
    source: '/orderstream/test',
  });
  let db: TestDatabase;
  let sql: Client;
  let port: number;
  const logDir = mkdtempSync(join(tmpdir(), 'order-history-crash-'));
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics(
      [Topics.orders, Topics.payments, Topics.inventory].map((topic) => ({ topic, partitions: 3 })),
    );
    await publisher.connect();
    // An empty database of the test's own: the service migrates it at boot.
    db = await createTestDatabase(infra.postgresUrl, 'order_history_crash');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    port = await freePort();
  });
  afterAll(async () => {
    for (const service of processes) await service.stop(5_000);
    await sql?.end();
    await publisher.disconnect();
    await deleteNamespaceContents(kafkaAdmin);
    await kafkaAdmin.disconnect();
    await db?.drop();
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const status = async (): Promise<ProjectionStatus | undefined> => {
    try {
      const response = await fetch(url('/admin/projections/order-history'), { headers: admin });
      return response.status === 200 ? ((await response.json()) as ProjectionStatus) : undefined;
    } catch {
      return undefined;
    }
  };
  const count = async (query: string): Promise<number> =>
    (await sql.query<{ n: number }>(query)).rows[0]?.n ?? 0;
  const timelineCount = () => count('SELECT count(*)::int AS n FROM order_timeline');

  /** The built service, as the demo and the e2e system start it. */
  function startProcess(): Promise<ServiceProcess> {
    return startService({
      name: 'order-history',
      port,
      workspaceRoot: resolve(__dirname, '..', '..'),
      logDir,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        KAFKA_NAMESPACE: namespace,
        SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
        DATABASE_URL: db.url,
        ADMIN_TOKEN,
        PROJECTION_POLL_INTERVAL_MS: '50',
      },
    }).then((service) => {
      processes.push(service);
      return service;
    });
  }

  it('resumes the same generation from its committed offsets and serves it once caught up', async () => {
    const total = ORDERS * EVENTS_PER_ORDER;
    for (let i = 0; i < ORDERS; i += 100)
      await publisher.publishBatch(confirmedSagas(Math.min(100, ORDERS - i)));

    const first = await startProcess();
    await waitFor(async () => (await timelineCount()) === total, {
      description: `generation 1 to hold all ${total} events`,
      timeoutMs: 90_000,
    });
    const served = (await sql.query('SELECT * FROM order_views ORDER BY order_id')).rows;

    const started = await fetch(url('/admin/projections/order-history/rebuild'), {
      method: 'POST',
      headers: admin,
    });
    expect(started.status).toBe(202);
    // Killed once the new generation has committed some, but not all, of its records.
    const partWay = await waitFor(
      async () => {
        const s = await status();
        const done = s?.building?.done ?? 0;
        return s?.building && done > 0 && done < total / 2 ? s.building : undefined;
      },
      { description: 'the rebuild part-way', intervalMs: 20, timeoutMs: 60_000 },
    );
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    expect(partWay).toMatchObject({ generation: 2, target: total });
    const rowsAtKill = await count('SELECT count(*)::int AS n FROM order_history_g2.order_timeline');
    expect(rowsAtKill).toBeGreaterThan(0);

    await startProcess();
    const resumed = await waitFor(status, { description: 'the restarted service to report its projection' });
    expect(resumed?.building ?? resumed?.serving).toMatchObject({ generation: 2, resumes: 1 });
    const resumedFrom = (resumed?.building ?? resumed?.serving)?.resumedFrom ?? {};
    const resumedOffsets = Object.values(resumedFrom).flatMap((p) => Object.values(p));
    expect(resumedOffsets.reduce((a, b) => a + Math.max(0, b), 0)).toBeGreaterThanOrEqual(partWay.done ?? 1);

    await waitFor(async () => (await status())?.serving?.generation === 2, {
      description: 'generation 2 served',
      timeoutMs: 90_000,
    });
    expect(await timelineCount()).toBe(total);
    expect((await sql.query('SELECT * FROM order_views ORDER BY order_id')).rows).toEqual(served);
    expect(
      (await sql.query('SELECT generation, status, resumes FROM projection_generations ORDER BY 1')).rows,
    ).toEqual([
      { generation: 1, status: 'retired', resumes: 0 },
      { generation: 2, status: 'serving', resumes: 1 },
    ]);
  });
});
