/**
 * `npm run demo`: brings up the native infrastructure (or reuses a running one), starts the four built
 * services against it, prints their URLs, and on Ctrl-C stops the services (SIGTERM, bounded) and the
 * infrastructure it started.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { infraDown, infraStatus, infraUp, type InfraEndpoints } from '@orderstream/infra';
import { startService, type ServiceProcess } from './service-process';
import { DEFAULT_PORTS, SERVICE_NAMES, serviceEnv, type ServiceEndpoints } from './services';

const workspaceRoot = resolve(__dirname, '..', '..', '..');
const logDir = join(workspaceRoot, '.cache', 'demo', 'logs');

function pgUrl(endpoints: InfraEndpoints, database: string): string {
  const pg = endpoints.postgres;
  return `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${database}`;
}

function toServiceEndpoints(endpoints: InfraEndpoints): ServiceEndpoints {
  const dbs = endpoints.postgres.databases;
  return {
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    databases: {
      orders: pgUrl(endpoints, dbs.orders),
      payments: pgUrl(endpoints, dbs.payments),
      inventory: pgUrl(endpoints, dbs.inventory),
    },
  };
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const before = await infraStatus({});
  const infraWasRunning = before.parts.length > 0 && before.parts.every((p) => p.healthy);
  console.log(
    infraWasRunning
      ? 'Reusing the running infrastructure.'
      : 'Starting Kafka, Apicurio Registry and PostgreSQL…',
  );
  const endpoints = await infraUp({ log: (line) => console.log(`  ${line}`) });

  const services: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping the services…`);
    const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
    for (const [name, code] of codes) console.log(`  ${name} exited with code ${code}`);
    if (!infraWasRunning) {
      console.log('Stopping the infrastructure…');
      await infraDown({ log: (line) => console.log(`  ${line}`) });
    } else {
      console.log(
        'Leaving the infrastructure running (it was up before the demo; `npm run infra:down` stops it).',
      );
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll('Ctrl-C', 0));
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0));

  try {
    const serviceEndpoints = toServiceEndpoints(endpoints);
    console.log('Starting the services…');
    const started = await Promise.all(
      SERVICE_NAMES.map((name) =>
        startService({
          name,
          port: DEFAULT_PORTS[name],
          env: serviceEnv(name, DEFAULT_PORTS[name], serviceEndpoints),
          workspaceRoot,
          logDir,
        }),
      ),
    );
    services.push(...started);
  } catch (error) {
    console.error(`Could not start the services: ${(error as Error).message}`);
    await stopAll('Startup failed', 1);
    return;
  }

  for (const service of services) {
    void service.exited.then((code) =>
      stopAll(`${service.name} exited unexpectedly with code ${code} (log: ${service.logFile})`, 1),
    );
  }

  console.log('\norderstream is running:\n');
  for (const s of services)
    console.log(
      `  ${s.name.padEnd(13)} ${s.url}   (health: ${s.url}/health/ready, metrics: ${s.url}/metrics)`,
    );
  console.log(
    `\n  Kafka         ${endpoints.kafkaBrokers.join(',')}   (Apache Kafka ${endpoints.versions.kafka}, KRaft)`,
  );
  console.log(
    `  Registry      ${endpoints.schemaRegistryUrl}   (Apicurio Registry ${endpoints.versions.apicurio})`,
  );
  console.log(
    `  PostgreSQL    ${endpoints.postgres.host}:${endpoints.postgres.port}   (${endpoints.versions.postgres}; databases orders, payments, inventory)`,
  );
  console.log(`\n  Service logs: ${logDir}\n\nPress Ctrl-C to stop everything.`);
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
