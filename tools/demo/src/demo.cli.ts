/**
 * `npm run demo`: brings up the native infrastructure (or reuses a running one), starts the four built
 * services against it, prints their URLs, drives the saga scenario (unless `--no-scenario`) and prints its
 * summary and one order's timeline, then keeps the services running; on Ctrl-C it stops the services
 * (SIGTERM, bounded) and the infrastructure it started.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { infraDown, infraStatus, infraUp, type InfraEndpoints } from '@orderstream/infra';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, type DemoOptions } from './demo-options';
import { renderSummary, renderTimeline } from './scenario/scenario-summary.view';
import { runScenario } from './scenario/scenario.runner';
import { startService, type ServiceProcess } from './service-process';
import { defaultPort, SERVICE_NAMES, serviceEnv, type ServiceEndpoints } from './services';

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
    databases: Object.fromEntries(Object.entries(dbs).map(([owner, db]) => [owner, pgUrl(endpoints, db)])),
  };
}

function parseOptions(): DemoOptions {
  try {
    const options = parseDemoArgs(process.argv.slice(2));
    if (options.help) {
      console.log(DEMO_USAGE);
      process.exit(0);
    }
    return options;
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`${error.message}\n\n${DEMO_USAGE}`);
    process.exit(2);
  }
}

async function scenario(options: DemoOptions, endpoints: InfraEndpoints, services: ServiceProcess[]) {
  const url = (name: string) => services.find((s) => s.name === name)?.url ?? '';
  try {
    const result = await runScenario({
      orders: options.orders,
      urls: { orders: url('orders'), payments: url('payments'), inventory: url('inventory') },
      kafkaBrokers: endpoints.kafkaBrokers,
      out: process.stdout,
      say: (line) => console.log(line),
    });
    console.log(renderSummary(result));
    if (result.timeline) console.log(renderTimeline(result.timeline.order, result.timeline.events));
  } catch (error) {
    // The services are still worth keeping up (their logs, metrics and APIs explain what went wrong).
    console.error(`\nThe scenario stopped early: ${(error as Error).stack ?? String(error)}`);
  }
}

/**
 * kafkajs 2.2.4 schedules a timer with a negative delay on every connection, which Node 24 reports as a
 * TimeoutNegativeWarning (tulios/kafkajs#1751; harmless: Node uses 1 ms). The scenario's Kafka clients
 * would print it into the demo's output, so that one warning is dropped; every other warning is printed.
 */
function quietKafkaJsTimerWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning')
      console.error(`(node) ${warning.name}: ${warning.message}`);
  });
}

async function main(): Promise<void> {
  const options = parseOptions();
  quietKafkaJsTimerWarning();
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
    // Settled, not Promise.all: when one fails, the others must have started (or failed) and be in
    // `services` before stopAll runs, or a service still starting would be left running.
    const starts = await Promise.allSettled(
      SERVICE_NAMES.map((name) =>
        startService({
          name,
          port: defaultPort(name),
          env: serviceEnv(name, defaultPort(name), serviceEndpoints),
          workspaceRoot,
          logDir,
        }),
      ),
    );
    for (const start of starts) if (start.status === 'fulfilled') services.push(start.value);
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
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

  printRunning(endpoints, services);
  if (options.scenario) {
    await scenario(options, endpoints, services);
    printRunning(endpoints, services);
  }
}

function printRunning(endpoints: InfraEndpoints, services: readonly ServiceProcess[]): void {
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
