// Native local infrastructure for orderstream, without Docker: Apache Kafka (KRaft), Apicurio Registry
// (Confluent-compatible API) and PostgreSQL, each a detached process with pid file and log under <cache>/run.
// Used by the CLI (tools/infra/src/cli.ts), the integration-test harness (libs/testing) and the demo.
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  DATABASES,
  HOST,
  INFRA_VERSIONS,
  POSTGRES_LOCAL_DEV_CREDENTIALS,
  acquireLock,
  javaMarker,
  readState,
  resolveOptions,
  stateFile,
  writeState,
  type InfraOptions,
  type Resolved,
} from './config';
import { kafkaJava } from './java';
import { ensureJars, ensureToolJars, kafkaNodes, kafkaStatus, kafkaUp } from './kafka';
import { postgresStatus, postgresUp } from './postgres';
import { AbortedError, commandLine, findProcesses, isAlive, terminate } from './proc';
import { ccompatUrl, ensureApp, registryStatus, registryUp } from './registry';
import type { PartStatus, PartUp } from './types';

export { INFRA_VERSIONS, POSTGRES_LOCAL_DEV_CREDENTIALS };
export type { InfraOptions, PartStatus };

export interface InfraEndpoints {
  kafkaBrokers: string[];
  /** The Confluent-compatible base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  schemaRegistryUrl: string;
  postgres: {
    host: string;
    port: number;
    user: string;
    password: string;
    /** The system manifest's databases, by the service that owns each. */
    databases: Readonly<Record<string, string>>;
  };
  versions: { kafka: string; apicurio: string; postgres: string };
}

export interface InfraStatus {
  parts: PartStatus[];
  /** Present when every part is healthy. */
  endpoints?: InfraEndpoints;
}

function endpointsOf(o: Resolved): InfraEndpoints {
  return {
    kafkaBrokers: kafkaNodes(o).map((n) => `${HOST}:${n.port}`),
    schemaRegistryUrl: ccompatUrl(o),
    postgres: {
      host: HOST,
      port: o.postgresPort,
      user: POSTGRES_LOCAL_DEV_CREDENTIALS.user,
      password: POSTGRES_LOCAL_DEV_CREDENTIALS.password,
      databases: { ...DATABASES },
    },
    versions: { kafka: o.kafkaVersion, apicurio: INFRA_VERSIONS.apicurio, postgres: INFRA_VERSIONS.postgres },
  };
}

/** Lock wait: long enough for another process's cold `up` (which may include downloads). */
const LOCK_TIMEOUT_MS = 25 * 60_000;

export interface InfraUpResult {
  endpoints: InfraEndpoints;
  /** Parts this call started ('kafka', 'registry', 'postgres'); decided under the lock, so race-free. */
  started: string[];
  /** Parts that were already running and healthy. */
  reused: string[];
}

/**
 * Downloads what the stack runs from (the Kafka jars and the Apicurio Registry distribution, through
 * Maven) into the cache without starting anything, and Kafka's command-line tools, which tests compare the
 * repository's tooling with; PostgreSQL's binaries come with `npm ci`. Lets CI show download time apart
 * from start-up time.
 */
export async function infraFetch(opts: InfraOptions = {}): Promise<void> {
  const o = resolveOptions(opts);
  const signal = new AbortController().signal;
  await Promise.all([ensureJars(o, signal), ensureToolJars(o, signal), ensureApp(o, signal)]);
}

/** How to run one of Kafka's own command-line tools (`org.apache.kafka.tools.…`) of the pinned version. */
export interface KafkaToolsRuntime {
  /** The Java the brokers run on. */
  java: string;
  /** `-cp` for `java`: kafka-tools and its runtime dependencies. */
  classpath: string;
}

/** Kafka's tools of the version the stack runs (fetched with Maven on first use, like `fetch` does). */
export async function kafkaToolsRuntime(opts: InfraOptions = {}): Promise<KafkaToolsRuntime> {
  const o = resolveOptions(opts);
  const [libs, java] = await Promise.all([ensureToolJars(o, new AbortController().signal), kafkaJava()]);
  return { java: java.bin, classpath: path.join(libs, '*') };
}

/**
 * Brings up Kafka, Apicurio Registry and PostgreSQL (in parallel) and waits until all are healthy.
 * Idempotent: healthy parts that already run are reused. If a part fails, the parts this call started are
 * stopped again and the error carries the tail of the failing part's log.
 */
export async function infraUp(opts: InfraOptions = {}): Promise<InfraEndpoints> {
  return (await infraUpDetailed(opts)).endpoints;
}

/** infraUp, also telling which parts it started and which it reused (e.g. to decide whether to tear down). */
export async function infraUpDetailed(opts: InfraOptions = {}): Promise<InfraUpResult> {
  const o = resolveOptions(opts);
  const release = await acquireLock(o, LOCK_TIMEOUT_MS);
  try {
    await assertCompatibleWithRunning(o);
    const started = Date.now();
    const abort = new AbortController();
    const attempts = [kafkaUp, registryUp, postgresUp].map((up) =>
      up(o, abort.signal).catch((e: unknown) => {
        abort.abort();
        throw e;
      }),
    );
    const results = await Promise.allSettled(attempts);
    const ups = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) {
      const ownStarts = ups.filter((u) => u.started);
      await Promise.allSettled(ownStarts.map((u) => u.stop()));
      const real = errors.filter((e) => !(e instanceof AbortedError));
      const messages = (real.length > 0 ? real : errors).map((e) =>
        e instanceof Error ? e.message : String(e),
      );
      throw new Error(
        `infra up failed${ownStarts.length ? ` (stopped again: ${ownStarts.map((u) => u.name).join(', ')})` : ''}:\n${messages.join('\n\n')}`,
      );
    }
    const runtime = (name: string): string | undefined => ups.find((u: PartUp) => u.name === name)?.runtime;
    const previous = await readState(o.runDir);
    await writeState(o.runDir, {
      brokers: o.brokers,
      kafkaPort: o.kafkaPort,
      registryPort: o.registryPort,
      postgresPort: o.postgresPort,
      kafkaVersion: o.kafkaVersion,
      javaKafka: runtime('kafka') ?? previous?.javaKafka,
      javaRegistry: runtime('registry') ?? previous?.javaRegistry,
      startedAt: new Date().toISOString(),
    });
    const what = ups.map((u) => `${u.name} ${u.started ? 'started' : 'reused'}`).join(', ');
    o.log(`infra: up in ${((Date.now() - started) / 1000).toFixed(1)} s (${what})`);
    return {
      endpoints: endpointsOf(o),
      started: ups.filter((u) => u.started).map((u) => u.name),
      reused: ups.filter((u) => !u.started).map((u) => u.name),
    };
  } finally {
    await release();
  }
}

/** `up` with other brokers/ports/version than what is running would silently mix two setups: refuse. */
async function assertCompatibleWithRunning(o: Resolved): Promise<void> {
  const state = await readState(o.runDir);
  if (!state) return;
  const running = resolveOptions({ cacheDir: o.cacheDir, stateDir: o.stateDir, ...state }, state);
  const anyAlive = (await currentParts(running)).some((p) => p.pid !== undefined);
  if (!anyAlive) return;
  const diffs = (['brokers', 'kafkaPort', 'registryPort', 'postgresPort', 'kafkaVersion'] as const).filter(
    (k) => running[k] !== o[k],
  );
  if (diffs.length > 0) {
    throw new Error(
      `infra is already running with ${diffs.map((k) => `${k}=${running[k]}`).join(', ')} (asked for ${diffs
        .map((k) => `${k}=${o[k]}`)
        .join(', ')}); run \`down\` first`,
    );
  }
}

async function currentParts(o: Resolved): Promise<PartStatus[]> {
  const [kafka, registry, postgres] = await Promise.all([
    kafkaStatus(o),
    registryStatus(o),
    postgresStatus(o),
  ]);
  return [...kafka, registry, postgres];
}

/** Health of each part (kafka-N, registry, postgres). Settings come from the options, else from the last `up`. */
export async function infraStatus(opts: InfraOptions = {}): Promise<InfraStatus> {
  const probe = resolveOptions(opts);
  const o = resolveOptions(opts, await readState(probe.runDir));
  const parts = await currentParts(o);
  return parts.every((p) => p.healthy) ? { parts, endpoints: endpointsOf(o) } : { parts };
}

/**
 * Stops every process of ours (by pid file, and by scanning for our command-line markers in case a pid file
 * is gone): SIGTERM (PostgreSQL: SIGINT, fast shutdown), SIGKILL after 15 s. Then wipes Kafka and
 * PostgreSQL data (the registry is in-memory), so the next `up` starts clean. Logs stay in <cache>/run.
 */
export async function infraDown(opts: InfraOptions = {}): Promise<void> {
  const probe = resolveOptions(opts);
  const o = resolveOptions(opts, await readState(probe.runDir));
  const release = await acquireLock(o, LOCK_TIMEOUT_MS);
  try {
    const pgData = path.join(o.dataDir, 'postgres');
    const ours = (cmd: string): 'java' | 'postgres' | undefined => {
      if (cmd.includes(javaMarker(o))) return 'java';
      if (cmd.includes(`-D ${pgData}`)) return 'postgres';
      return undefined;
    };
    const pidFiles = (await fs.readdir(o.runDir).catch(() => [] as string[])).filter((f) =>
      f.endsWith('.pid'),
    );
    const pids = new Set(findProcesses((cmd) => ours(cmd) !== undefined));
    for (const f of pidFiles) {
      const pid = Number((await fs.readFile(path.join(o.runDir, f), 'utf8').catch(() => '')).trim());
      if (isAlive(pid) && ours(commandLine(pid))) pids.add(pid);
    }
    await Promise.all(
      [...pids].map((pid) => {
        const kind = ours(commandLine(pid));
        if (kind === undefined) return Promise.resolve();
        o.log(`down: stopping ${kind} pid ${pid}`);
        return kind === 'postgres'
          ? terminate(pid, { signal: 'SIGINT', group: false, graceMs: 15_000, log: o.log, name: `postgres` })
          : terminate(pid, {
              signal: 'SIGTERM',
              group: true,
              graceMs: 15_000,
              log: o.log,
              name: `java pid ${pid}`,
            });
      }),
    );
    const left = findProcesses((cmd) => ours(cmd) !== undefined);
    if (left.length > 0) throw new Error(`down: processes still running: ${left.join(', ')}`);
    await Promise.all(pidFiles.map((f) => fs.rm(path.join(o.runDir, f), { force: true })));
    await fs.rm(stateFile(o.runDir), { force: true });
    await fs.rm(o.dataDir, { recursive: true, force: true });
    o.log(`down: stopped ${pids.size} process(es); wiped ${o.dataDir}`);
  } finally {
    await release();
  }
}

/** Environment variables for the services and tests. */
export function toEnv(e: InfraEndpoints): Record<string, string> {
  const { host, port, user, password, databases } = e.postgres;
  const url = (db: string): string =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(db)}`;
  return {
    KAFKA_BROKERS: e.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
    POSTGRES_HOST: host,
    POSTGRES_PORT: String(port),
    POSTGRES_USER: user,
    POSTGRES_PASSWORD: password,
    // Server-level URL (the maintenance database): what tests use to create databases of their own.
    POSTGRES_URL: url('postgres'),
    // <SERVICE>_DATABASE_URL for each database of the manifest (ORDERS_DATABASE_URL, …).
    ...Object.fromEntries(
      Object.entries(databases).map(([service, db]) => [
        `${service.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`,
        url(db),
      ]),
    ),
  };
}
