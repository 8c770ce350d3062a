/**
 * `npm run demo`: brings up the native infrastructure (or reuses a running one), starts the built services
 * against it, prints their URLs, drives the saga scenario (unless `--no-scenario`) and prints its summary
 * and one order's timeline, then keeps the services running. On Ctrl-C, SIGTERM or SIGHUP, when a service
 * dies, or when the launcher itself fails, it stops the services (SIGTERM, bounded) and the infrastructure
 * it started (see DemoRun), also when its own stdout is gone (see launcher-output.ts).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { infraStatus, infraUpDetailed, type InfraEndpoints } from '@orderstream/infra';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, type DemoOptions } from './demo-options';
import { DemoRun } from './demo-run';
import { demoServices } from './demo-services';
import { guardLauncherOutput } from './launcher-output';
import { renderSummary, renderTimeline } from './scenario/scenario-summary.view';
import { runScenario } from './scenario/scenario.runner';
import { startService, type ServiceProcess } from './service-process';

const workspaceRoot = resolve(__dirname, '..', '..', '..');
const defaultLogDir = join(workspaceRoot, '.cache', 'demo', 'logs');

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
      sagaMode: options.sagaMode,
      urls: { orders: url('orders'), payments: url('payments'), inventory: url('inventory') },
      kafkaBrokers: endpoints.kafkaBrokers,
      ...(url('order-history') ? { readModelUrl: url('order-history') } : {}),
      ...(url('notifications') ? { notificationsUrl: url('notifications') } : {}),
      out: process.stdout,
      say: (line) => console.log(line),
    });
    console.log(renderSummary(result));
    if (result.timeline) {
      console.log(renderTimeline(result.timeline.order, result.timeline.events));
      const { orderId } = result.timeline.order;
      if (orderId && url('order-history'))
        console.log(
          `\nThe same order in the read model, with its timeline: curl ${url('order-history')}/order-views/${orderId}`,
        );
    }
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

/** The run in progress, for the last-resort error handler below. */
let activeRun: DemoRun | undefined;

async function main(): Promise<void> {
  const options = parseOptions();
  quietKafkaJsTimerWarning();
  const logDir = resolve(options.logDir ?? defaultLogDir);
  mkdirSync(logDir, { recursive: true });
  const run = new DemoRun(logDir, (line) => console.log(line));
  activeRun = run;
  guardLauncherOutput((stream, code) => run.outputLost(stream, code));
  // Installed before anything is started, so nothing can be started that a signal would not stop.
  process.on('SIGINT', () => void run.stop('Ctrl-C', 0));
  process.on('SIGTERM', () => void run.stop('SIGTERM', 0));
  process.on('SIGHUP', () => void run.stop('SIGHUP (terminal closed)', 0));
  // The last resort: whatever fails in the launcher, what it started is stopped. Reported once only: if
  // the report itself fails (its stream gone), that failure must not come back here, again and again.
  let launcherHasFailed = false;
  const launcherFailed = (error: unknown): void => {
    if (launcherHasFailed) return;
    launcherHasFailed = true;
    console.error(`The launcher failed: ${(error as Error).stack ?? String(error)}`);
    void run.stop('Launcher error', 1);
  };
  process.on('uncaughtException', launcherFailed);
  process.on('unhandledRejection', launcherFailed);

  const before = await infraStatus({});
  const infraWasRunning = before.parts.length > 0 && before.parts.every((p) => p.healthy);
  console.log(
    infraWasRunning
      ? 'Reusing the running infrastructure.'
      : 'Starting Kafka, Apicurio Registry and PostgreSQL…',
  );
  let endpoints: InfraEndpoints;
  try {
    const up = await run.track(infraUpDetailed({ log: (line) => console.log(`  ${line}`) }));
    run.infrastructureUp(up);
    endpoints = up.endpoints;
  } catch (error) {
    // infraUp stops the parts it started when it fails.
    console.error(`Could not start the infrastructure: ${(error as Error).message}`);
    await run.stop('Startup failed', 1);
    return;
  }
  if (run.isStopping) return;

  run.enter('starting-services');
  console.log(`Starting the services (the order saga as ${options.sagaMode})…`);
  // Settled, not Promise.all: when one fails, the others must have started (or failed) before the stop.
  const planned = demoServices(endpoints, options.basePort, options.sagaMode);
  consoleEnv = planned.find((s) => s.env['OPS_ADMIN_PORT'] !== undefined)?.env;
  const starts = await Promise.allSettled(
    planned.map(({ name, port, env }) =>
      run.track(
        startService({
          name,
          port,
          env,
          workspaceRoot,
          logDir,
          signal: run.startSignal,
          onSpawn: (pid) => run.serviceSpawned(name, pid, port),
        }).then((service) => {
          run.serviceReady(service);
          return service;
        }),
      ),
    ),
  );
  if (run.isStopping) return;
  const failed = starts.find((start) => start.status === 'rejected');
  if (failed) {
    console.error(`Could not start the services: ${(failed.reason as Error).message}`);
    await run.stop('Startup failed', 1);
    return;
  }
  const services = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));

  printRunning(endpoints, services, logDir);
  if (options.scenario) {
    run.enter('scenario');
    await scenario(options, endpoints, services);
    printRunning(endpoints, services, logDir);
  }
  run.enter('running');
}

/** The environment of the service that serves the ops console, once the services are planned. */
let consoleEnv: Record<string, string> | undefined;

function printRunning(endpoints: InfraEndpoints, services: readonly ServiceProcess[], logDir: string): void {
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
  if (consoleEnv) {
    // LOCAL DEVELOPMENT DEFAULT ONLY: the token the demo gives the console (LOCAL_ADMIN_TOKENS).
    console.log(
      `\n  Ops console   http://127.0.0.1:${consoleEnv['OPS_ADMIN_PORT']}/   (token: ${consoleEnv['OPS_ADMIN_TOKENS']?.split('=')[1]})`,
    );
  }
  console.log(`\n  Service logs: ${logDir}\n\nPress Ctrl-C to stop everything.`);
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  // Whatever failed, what was started is stopped (and the process exits) through the run.
  if (activeRun) void activeRun.stop('Launcher error', 1);
  else process.exit(1);
});
