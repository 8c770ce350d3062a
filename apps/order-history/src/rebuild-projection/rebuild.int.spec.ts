/**
 * Rebuild by replay, blue/green, against the real stack:
 *
 * - under live traffic, a rebuild ends with a read model equal, row for row, to a reference instance's that
 *   ran live all along (same topics, its own group and database), and the live generation serves every
 *   request meanwhile;
 * - a new projection code version is built beside the generation the old code built, which keeps serving
 *   until the new one has caught up.
 */
import { namespacedKafkaClient } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { request, type ServiceUnderTest } from '@orderstream/platform/testing';
import {
  createMigratedDatabase,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { orderHistoryDataSourceOptions } from '../database';
import { READ_MODEL_TABLES } from '../projection/generation-schema';
import type { ProjectionStatusDto } from './rebuild-projection.controller';
import { startOrderHistory, TEST_ADMIN_TOKEN } from '../test/service-under-test';
import { publishSaga, SAGA_SHAPES, timelineCount } from '../test/saga-traffic';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

const statusOf = async (service: ServiceUnderTest): Promise<ProjectionStatusDto> =>
  (await request(service.baseUrl, 'GET', '/admin/projections/order-history', { headers: admin }))
    .body as ProjectionStatusDto;

/** Every row of the served read model, in key order: what "row for row" compares. */
async function readModel(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const keys: Record<(typeof READ_MODEL_TABLES)[number], string> = {
    order_views: 'order_id',
    order_timeline: 'event_id COLLATE "C"',
    customer_summaries: 'customer_id COLLATE "C"',
    customer_amounts: 'customer_id COLLATE "C", currency COLLATE "C"',
  };
  const model: Record<string, unknown[]> = {};
  for (const table of READ_MODEL_TABLES) {
    model[table] = (await dataSource.query(`SELECT * FROM ${table} ORDER BY ${keys[table]}`)) as unknown[];
  }
  return model;
}

async function schemasOf(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'order_history_g%' ORDER BY 1`,
  )) as { schema_name: string }[];
  return rows.map((r) => r.schema_name);
}

describe('rebuild under live traffic', () => {
  const namespace = `order-history-rebuild-${randomBytes(4).toString('hex')}`;
  let live: ServiceUnderTest;
  let reference: ServiceUnderTest;
  let published = 0;
  const customers = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'].map((c) => `${c}-${namespace}`);

  beforeAll(async () => {
    live = await startOrderHistory({ namespace });
    reference = await startOrderHistory({
      namespace,
      env: { KAFKA_CONSUMER_GROUP: 'order-history-reference' },
    });
  });
  afterAll(async () => {
    await reference?.close({ keepNamespace: true });
    await live?.close();
  });

  const publishOne = async (i: number) => {
    const saga = await publishSaga(live.publisher, customers[i % customers.length]!, SAGA_SHAPES[i % 4]!);
    published += saga.events;
  };

  it('ends with the read model of a projection that ran live all along, serving throughout', async () => {
    for (let i = 0; i < 40; i++) await publishOne(i);
    const watched = (await request(live.baseUrl, 'GET', `/order-views?customerId=${customers[0]}`)).body as {
      items: { orderId: string }[];
    };
    await waitFor(async () => (await timelineCount(live.dataSource)) === published, {
      description: 'the live generation to have read the first traffic',
    });
    const orderId = watched.items[0]?.orderId ?? (await firstOrder(live.dataSource));

    // Readers of the served model, and traffic, all through the rebuild.
    const answers: number[] = [];
    let rebuilding = true;
    const reader = (async () => {
      while (rebuilding) answers.push((await request(live.baseUrl, 'GET', `/order-views/${orderId}`)).status);
    })();
    const traffic = (async () => {
      for (let i = 40; rebuilding; i++) await publishOne(i);
    })();

    const started = await request(live.baseUrl, 'POST', '/admin/projections/order-history/rebuild', {
      headers: admin,
    });
    expect(started).toMatchObject({
      status: 202,
      body: {
        serving: { generation: 1 },
        building: { generation: 2, status: 'building', consumerGroup: 'order-history.g2', consuming: true },
      },
    });
    const target = (started.body as ProjectionStatusDto).building?.target ?? 0;
    expect(target).toBeGreaterThan(0);
    // Asking again while it runs returns the same rebuild.
    expect(
      await request(live.baseUrl, 'POST', '/admin/projections/order-history/rebuild', { headers: admin }),
    ).toMatchObject({ status: 202, body: { building: { generation: 2 } } });

    await waitFor(async () => (await statusOf(live)).serving?.generation === 2, {
      description: 'generation 2 served',
      timeoutMs: 60_000,
    });
    rebuilding = false;
    await Promise.all([reader, traffic]);
    // Live traffic went on while the rebuild ran: more events than its high-water marks.
    expect(published).toBeGreaterThan(target);
    for (let i = 0; i < 8; i++) await publishOne(i);

    await waitFor(
      async () =>
        (await timelineCount(live.dataSource)) === published &&
        (await timelineCount(reference.dataSource)) === published,
      { description: `both read models to hold all ${published} events`, timeoutMs: 60_000 },
    );
    const [rebuilt, ranLive] = [await readModel(live.dataSource), await readModel(reference.dataSource)];
    expect(rebuilt['order_timeline']).toHaveLength(published);
    expect(rebuilt).toEqual(ranLive);

    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    const status = await statusOf(live);
    expect(status).toMatchObject({
      serving: { generation: 2, consumerGroup: 'order-history.g2', consuming: true, lag: 0 },
      building: null,
    });
    // The old generation is gone: its schema, its consumer group and its retry topics.
    expect(await schemasOf(live.dataSource)).toEqual(['order_history_g2']);
    const kafkaAdmin = namespacedKafkaClient(
      createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'rebuild-test' }),
      namespace,
    ).admin();
    await kafkaAdmin.connect();
    try {
      const groups = (await kafkaAdmin.listGroups()).map((g) => g.groupId);
      expect(groups).not.toContain('order-history.g1');
      expect(groups).toContain('order-history.g2');
      const topics = await kafkaAdmin.listTopics();
      expect(topics.filter((t) => t.startsWith('order-history.g1.retry.'))).toEqual([]);
      expect(topics.filter((t) => t.startsWith('order-history.g2.retry.'))).toHaveLength(3);
    } finally {
      await kafkaAdmin.disconnect();
    }
  });
});

describe('a new projection code version', () => {
  let db: MigratedDatabase;
  const namespace = `order-history-version-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      uniqueName('order_history_version'),
      orderHistoryDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  it('is built beside the old version, which serves until the new one has caught up', async () => {
    const v1 = await startOrderHistory({ namespace, database: db.dataSource, projectionVersion: 1 });
    let events = 0;
    for (const shape of SAGA_SHAPES)
      events += (await publishSaga(v1.publisher, `customer-${randomUUID()}`, shape)).events;
    await waitFor(async () => (await timelineCount(db.dataSource)) === events, {
      description: 'version 1 to have read the traffic',
    });
    const before = await readModel(db.dataSource);
    await v1.close({ keepNamespace: true });

    const v2 = await startOrderHistory({ namespace, database: db.dataSource, projectionVersion: 2 });
    try {
      const booted = await statusOf(v2);
      // Served as the old code left it (no consumer runs its code any more), or already handed over.
      if (booted.serving?.generation === 1) {
        expect(booted).toMatchObject({
          codeVersion: 2,
          serving: { generation: 1, codeVersion: 1, consuming: false },
          building: { generation: 2, codeVersion: 2 },
        });
      }
      await waitFor(async () => (await statusOf(v2)).serving?.generation === 2, {
        description: 'the version 2 generation served',
      });
      expect(await statusOf(v2)).toMatchObject({
        serving: { generation: 2, codeVersion: 2, consuming: true },
        building: null,
      });
      expect(await readModel(db.dataSource)).toEqual(before);
      expect(
        await db.dataSource.query(
          `SELECT generation, code_version, status FROM projection_generations ORDER BY generation`,
        ),
      ).toEqual([
        { generation: 1, code_version: 1, status: 'retired' },
        { generation: 2, code_version: 2, status: 'serving' },
      ]);
      expect(await schemasOf(db.dataSource)).toEqual(['order_history_g2']);
    } finally {
      await v2.close();
    }
  });
});

async function firstOrder(dataSource: DataSource): Promise<string> {
  const [row] = (await dataSource.query(`SELECT order_id FROM order_views LIMIT 1`)) as {
    order_id: string;
  }[];
  if (!row) throw new Error('no order view yet');
  return row.order_id;
}
