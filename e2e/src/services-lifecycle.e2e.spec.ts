/**
 * Every service of the manifest as a separate process, built and configured exactly as deployed: each becomes ready
 * against real PostgreSQL and Kafka, answers its health and metrics endpoints, serves its AsyncAPI document, and
 * exits 0 on SIGTERM.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  SERVICE_NAMES,
  serviceEnv,
  startService,
  type ServiceName,
  type ServiceProcess,
} from '@orderstream/demo';
import { allContracts } from '@orderstream/contracts';
import { databasesOf, outboxServices, serviceAsyncApi, serviceOf } from '@orderstream/system';
import { createTestDatabase, freePort, testInfrastructure, type TestDatabase } from '@orderstream/testing';

const workspaceRoot = resolve(__dirname, '..', '..');

describe('every service, as a process', () => {
  const infra = testInfrastructure();
  const logDir = mkdtempSync(join(tmpdir(), 'orderstream-e2e-'));
  const databases: TestDatabase[] = [];
  const services = new Map<ServiceName, ServiceProcess>();
  const service = (name: ServiceName): ServiceProcess => {
    const found = services.get(name);
    if (!found) throw new Error(`${name} did not start`);
    return found;
  };

  beforeAll(async () => {
    const database = async (service: string) => {
      const db = await createTestDatabase(infra.postgresUrl, `e2e_${service}`);
      databases.push(db);
      return db.url;
    };
    const endpoints = {
      kafkaBrokers: infra.kafkaBrokers,
      schemaRegistryUrl: infra.schemaRegistryUrl,
      databases: Object.fromEntries(
        await Promise.all(
          Object.entries(databasesOf()).map(async ([owner, name]) => [owner, await database(name)] as const),
        ),
      ),
    };
    const started = await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const port = await freePort();
        return startService({ name, port, env: serviceEnv(name, port, endpoints), workspaceRoot, logDir });
      }),
    );
    for (const service of started) services.set(service.name, service);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    await Promise.all(databases.map((db) => db.drop()));
  });

  /**
   * What each service's readiness checks: its databases, Kafka, its consumer groups if it consumes, and its
   * own checks (orders: its stock replica has caught up). ops has no consumer group and no topic.
   */
  const OWN_CHECKS: Partial<Record<ServiceName, string[]>> = { orders: ['stock-replica'] };
  const readinessChecks = (name: ServiceName): string[] => {
    const declared = serviceOf(name);
    // The relay checks each outbox it reads, by the name of the service that owns it.
    if (declared.relaysOutboxes)
      return ['kafka', ...outboxServices().map((s) => `postgres:${s.name}`)].sort();
    // A service with the messaging module (consumer groups or topics of its own) reports its groups.
    const messaging = declared.consumerGroups.length > 0 || declared.topics.length > 0;
    return [
      'kafka',
      ...(messaging ? ['messaging'] : []),
      ...(declared.database ? [`postgres:${declared.database}`] : []),
      ...(OWN_CHECKS[name] ?? []),
    ].sort();
  };

  it.each(SERVICE_NAMES)('%s is live and ready, with JSON health details and metrics', async (name) => {
    const { url } = service(name);
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);

    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.info).sort()).toEqual(readinessChecks(name));
    for (const check of Object.values(body.info)) expect(check.status).toBe('up');

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_seconds_total');
  });

  it.each(SERVICE_NAMES)('%s serves its AsyncAPI document at /asyncapi.json', async (name) => {
    const response = await fetch(`${service(name).url}/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // What the manifest and the contracts generate (which the committed docs/asyncapi/ is checked against).
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(serviceAsyncApi(name, allContracts))));
  });

  it('answers an unknown route with problem+json and echoes the request id', async () => {
    const response = await fetch(`${service('orders').url}/no-such-route`, {
      headers: { 'x-request-id': 'e2e-req-1' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('e2e-req-1');
    const problem = (await response.json()) as { status: number; title: string };
    expect(problem.status).toBe(404);
  });

  it('stops every service cleanly on SIGTERM', async () => {
    const codes = await Promise.all([...services.values()].map((s) => s.stop(15_000)));
    expect(codes).toEqual(SERVICE_NAMES.map(() => 0));
  });
});
