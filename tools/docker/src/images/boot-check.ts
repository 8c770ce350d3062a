/**
 * Runs each service image the way a deployment would, against the native infrastructure: host networking,
 * configured only by the environment that tools/demo's serviceEnv() gives the natively started services,
 * and waits until its GET /health/ready answers 200 (printing the container's log when it does not).
 *
 * It shares the machine's infrastructure with whoever else uses it, so it owns what it touches, as an e2e
 * system does: a Kafka namespace of its own (KAFKA_NAMESPACE: its topics and groups are deleted at the end),
 * fresh databases for the services that own one (dropped at the end), and free ports.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { serviceEnv, type ServiceName } from '@orderstream/demo';
import type { InfraEndpoints } from '@orderstream/infra';
import { deleteNamespaceContents, namespacedKafkaClient } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { serviceOf } from '@orderstream/system';
import { Client } from 'pg';
import { FatalProbeError, tail, waitUntil } from './command';
import { docker, type Engine } from './engine';

/** A port the kernel says is free now (libs/testing has the same helper; tools may not depend on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface BootResult {
  service: ServiceName;
  port: number;
  /** From `docker run` to the first 200 from /health/ready. */
  secondsToReady: number;
}

const READY_TIMEOUT_MS = 120_000;

async function withAdmin<T>(infra: InfraEndpoints, work: (client: Client) => Promise<T>): Promise<T> {
  const { host, port, user, password } = infra.postgres;
  const client = new Client({ host, port, user, password, database: 'postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(infra: InfraEndpoints, database: string): string {
  const { host, port, user, password } = infra.postgres;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

async function waitReady(engine: Engine, container: string, port: number): Promise<void> {
  await waitUntil(
    async () => {
      const { stdout } = await docker(engine, [
        'inspect',
        '--format',
        '{{.State.Status}} {{.State.ExitCode}}',
        container,
      ]);
      if (!stdout.startsWith('running'))
        throw new FatalProbeError(`the container stopped (${stdout.trim()})`);
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      });
      return response.status === 200 ? true : undefined;
    },
    {
      description: `${container} to answer 200 on http://127.0.0.1:${port}/health/ready`,
      timeoutMs: READY_TIMEOUT_MS,
    },
  );
}

/** Starts every image at once (as compose or the demo would), waits for all, then stops and removes them. */
export async function bootImages(
  engine: Engine,
  infra: InfraEndpoints,
  images: ReadonlyMap<ServiceName, string>,
  log: (line: string) => void,
): Promise<BootResult[]> {
  const runId = `ci-images-${randomBytes(3).toString('hex')}`;
  // Fresh databases, named after the run (PostgreSQL identifiers take underscores, not dashes).
  const prefix = runId.replace(/-/g, '_');
  const owners = [...images.keys()].filter((service) => serviceOf(service).database);
  const databases = Object.fromEntries(
    owners.map((service) => [service, `${prefix}_${service.replace(/-/g, '_')}`]),
  );
  await withAdmin(infra, async (client) => {
    for (const db of Object.values(databases)) await client.query(`CREATE DATABASE "${db}"`);
  });
  const endpoints = {
    kafkaBrokers: infra.kafkaBrokers,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    databases: Object.fromEntries(
      Object.entries(databases).map(([service, db]) => [service, databaseUrl(infra, db)]),
    ),
    namespace: runId,
  };
  const containers: string[] = [];
  try {
    const results = await Promise.all(
      [...images].map(async ([service, image]): Promise<BootResult> => {
        const port = await freePort();
        const env = serviceEnv(service, port, endpoints);
        const name = `${runId}-${service}`;
        const started = Date.now();
        await docker(engine, [
          'run',
          '--detach',
          '--name',
          name,
          '--network',
          'host',
          ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
          image,
        ]);
        containers.push(name);
        try {
          await waitReady(engine, name, port);
        } catch (error) {
          const { output } = await docker(engine, ['logs', '--tail', '60', name]).catch(() => ({
            output: '(no logs)',
          }));
          throw new Error(
            `${service} (${image}) never became ready: ${(error as Error).message}\n--- docker logs ${name} ---\n${tail(output, 60)}`,
            { cause: error },
          );
        }
        const result = { service, port, secondsToReady: (Date.now() - started) / 1000 };
        log(`boot: ${service} ready on port ${port} after ${result.secondsToReady.toFixed(1)} s`);
        return result;
      }),
    );
    return results;
  } finally {
    // Graceful stop first (the services drain and leave their groups), then removal.
    await Promise.allSettled(containers.map((name) => docker(engine, ['stop', '--time', '15', name])));
    await Promise.allSettled(containers.map((name) => docker(engine, ['rm', '--force', name])));
    await withAdmin(infra, async (client) => {
      for (const db of Object.values(databases))
        await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    });
    await deleteNamespace(infra, runId);
  }
}

/** Deletes the groups and topics the services created under the run's namespace (and nothing else). */
async function deleteNamespace(infra: InfraEndpoints, namespace: string): Promise<void> {
  const admin = namespacedKafkaClient(
    createKafkaJsClient({ brokers: infra.kafkaBrokers, clientId: `${namespace}-cleanup` }),
    namespace,
  ).admin();
  await admin.connect();
  try {
    await deleteNamespaceContents(admin);
  } finally {
    await admin.disconnect();
  }
}
