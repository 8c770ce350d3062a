/**
 * A SIGKILL during a rebuild: the service, a real process (its sources through tsx), is killed while the new
 * generation is part-way; started again, it resumes that generation from its group's committed offsets —
 * same generation, rows kept, not from zero — and serves it once caught up, with the read model the
 * killed process served before the rebuild.
 */
import { event, namespacedKafkaClient, Publisher, AvroCodec, type BatchEvent } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { inventoryEvents, ordersEvents, paymentsEvents, Topics } from '@orderstream/contracts';
import {
  createMigratedDatabase,
  freePort,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { orderHistoryDataSourceOptions } from '../database';
import { TEST_ADMIN_TOKEN } from '../test/service-under-test';
import { timelineCount } from '../test/saga-traffic';
import type { ProjectionStatusDto } from './rebuild-projection.controller';

const ORDERS = 700;
const EVENTS_PER_ORDER = 4;
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

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
  let db: MigratedDatabase;
  let port: number;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics(
      [Topics.orders, Topics.payments, Topics.inventory].map((topic) => ({ topic, partitions: 3 })),
    );
    await publisher.connect();
    db = await createMigratedDatabase(
      infra.postgresUrl,
      uniqueName('order_history_crash'),
      orderHistoryDataSourceOptions,
    );
    port = await freePort();
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await publisher.disconnect();
    const { deleteNamespaceContents } = await import('@orderstream/messaging');
    await deleteNamespaceContents(kafkaAdmin);
    await kafkaAdmin.disconnect();
    await db?.dispose();
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const status = async (): Promise<ProjectionStatusDto | undefined> => {
    try {
      const response = await fetch(url('/admin/projections/order-history'), { headers: admin });
      return response.status === 200 ? ((await response.json()) as ProjectionStatusDto) : undefined;
    } catch {
      return undefined;
    }
  };

  /** The service from its sources, as `npm start` would run its build. */
  async function startProcess(): Promise<ChildProcess> {
    const options = db.dataSource.options as { url: string };
    const child = spawn(
      process.execPath,
      ['--conditions=@orderstream/source', '--import', 'tsx', join(__dirname, '..', 'main.ts')],
      {
        cwd: join(__dirname, '..', '..'),
        env: {
          PATH: process.env['PATH'] ?? '',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          KAFKA_NAMESPACE: namespace,
          SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
          DATABASE_URL: options.url,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          PROJECTION_POLL_INTERVAL_MS: '50',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
    await waitFor(async () => (await status()) !== undefined, {
      description: 'order-history to answer its admin API',
      timeoutMs: 60_000,
    });
    return child;
  }

  it('resumes the same generation from its committed offsets and serves it once caught up', async () => {
    const total = ORDERS * EVENTS_PER_ORDER;
    for (let i = 0; i < ORDERS; i += 100)
      await publisher.publishBatch(confirmedSagas(Math.min(100, ORDERS - i)));

    const first = await startProcess();
    await waitFor(async () => (await timelineCount(db.dataSource)) === total, {
      description: `generation 1 to hold all ${total} events`,
      timeoutMs: 90_000,
    });
    const served = (await db.dataSource.query(`SELECT * FROM order_views ORDER BY order_id`)) as unknown[];

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
    first.kill('SIGKILL');
    await once(first, 'exit');
    expect(partWay).toMatchObject({ generation: 2, target: total });
    const rowsAtKill = await countRows('order_history_g2');
    expect(rowsAtKill).toBeGreaterThan(0);

    await startProcess();
    const resumed = await status();
    expect(resumed?.building ?? resumed?.serving).toMatchObject({ generation: 2, resumes: 1 });
    const resumedFrom = (resumed?.building ?? resumed?.serving)?.resumedFrom ?? {};
    const resumedOffsets = Object.values(resumedFrom).flatMap((p) => Object.values(p));
    expect(resumedOffsets.reduce((a, b) => a + Math.max(0, b), 0)).toBeGreaterThanOrEqual(partWay.done ?? 1);

    await waitFor(async () => (await status())?.serving?.generation === 2, {
      description: 'generation 2 served',
      timeoutMs: 90_000,
    });
    expect(await timelineCount(db.dataSource)).toBe(total);
    expect(await db.dataSource.query(`SELECT * FROM order_views ORDER BY order_id`)).toEqual(served);
    expect(
      await db.dataSource.query(`SELECT generation, status, resumes FROM projection_generations ORDER BY 1`),
    ).toEqual([
      { generation: 1, status: 'retired', resumes: 0 },
      { generation: 2, status: 'serving', resumes: 1 },
    ]);
  });

  async function countRows(schema: string): Promise<number> {
    const [row] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM ${schema}.order_timeline`)) as {
      n: number;
    }[];
    return row?.n ?? 0;
  }
});
