// Options, cache layout, the run-state file, the cross-process lock and the Maven runner.
import { mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { databasesOf } from '@orderstream/system';
import versions from '../versions.json';
import { isAlive, lastLines, run, waitFor, type Log } from './proc';

export const INFRA_VERSIONS = Object.freeze(versions);

/** Everything binds to and is advertised on the IPv4 loopback address. */
export const HOST = '127.0.0.1';

/** Local development defaults, NOT secrets: the embedded PostgreSQL listens on 127.0.0.1 only. */
export const POSTGRES_LOCAL_DEV_CREDENTIALS = Object.freeze({ user: 'orderstream', password: 'orderstream' });
/** One database per service that owns one, by service name, as the system manifest declares them. */
export const DATABASES: Readonly<Record<string, string>> = Object.freeze(databasesOf());

export interface InfraOptions {
  /** 1 (default) or 3 KRaft nodes, each broker+controller. Env ORDERSTREAM_KAFKA_NODES. */
  brokers?: 1 | 3;
  /** First broker port (default 9092); brokers use consecutive ports, controllers kafkaPort+100+i. Env ORDERSTREAM_KAFKA_PORT. */
  kafkaPort?: number;
  /** Apicurio HTTP port (default 8081); its Quarkus management port (health) is registryPort+1. Env ORDERSTREAM_REGISTRY_PORT. */
  registryPort?: number;
  /** PostgreSQL port (default 5432). Env ORDERSTREAM_POSTGRES_PORT. */
  postgresPort?: number;
  /** Cache for jars, binaries, data, pid files and logs (default <repo>/.cache/infra). Env ORDERSTREAM_CACHE_DIR. */
  cacheDir?: string;
  /**
   * Where this stack's run state (pid files, logs, lock, state.json) and data live, apart from the
   * downloaded jars and distributions in `cacheDir` (default: `cacheDir` itself). A second stack on other
   * ports, e.g. a test's, shares the downloads without a second copy but never another stack's processes or
   * data. Env ORDERSTREAM_INFRA_STATE_DIR. Must not be a path that starts with another stack's directory
   * (the JVMs' command-line marker is matched as a substring).
   */
  stateDir?: string;
  /** Progress lines. Default: silent. */
  log?: (line: string) => void;
  /** Kafka version override, for compatibility checks only (default INFRA_VERSIONS.kafka). Env ORDERSTREAM_KAFKA_VERSION. */
  kafkaVersion?: string;
  /** How long each part may take to become healthy once started (default 120 s). Downloads are not counted. */
  startTimeoutMs?: number;
}

export interface Resolved {
  brokers: 1 | 3;
  kafkaPort: number;
  registryPort: number;
  registryManagementPort: number;
  postgresPort: number;
  kafkaVersion: string;
  cacheDir: string;
  /** `stateDir`, resolved: the parent of runDir and dataDir, and the JVMs' marker. */
  stateDir: string;
  runDir: string;
  dataDir: string;
  log: Log;
  startTimeoutMs: number;
  downloadTimeoutMs: number;
}

/** What `up` recorded about the running infrastructure (<cache>/run/state.json). */
export interface RunState {
  brokers: 1 | 3;
  kafkaPort: number;
  registryPort: number;
  postgresPort: number;
  kafkaVersion: string;
  javaKafka?: string;
  javaRegistry?: string;
  startedAt: string;
}

/** <repo>/.cache/infra, from this file's location (tools/infra/src). */
export function defaultCacheDir(): string {
  return path.resolve(__dirname, '..', '..', '..', '.cache', 'infra');
}

function envPort(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  return checkPort(Number(raw), name);
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${what}: invalid port ${port}`);
  return port;
}

function checkBrokers(n: number, what: string): 1 | 3 {
  if (n !== 1 && n !== 3) throw new Error(`${what}: brokers must be 1 or 3, got ${n}`);
  return n;
}

/**
 * Resolves options: explicit option > environment variable > recorded run state (for status/down/env) > default.
 */
export function resolveOptions(opts: InfraOptions, state?: RunState): Resolved {
  const cacheDir = path.resolve(opts.cacheDir ?? process.env['ORDERSTREAM_CACHE_DIR'] ?? defaultCacheDir());
  const stateDir = path.resolve(
    opts.stateDir ?? (process.env['ORDERSTREAM_INFRA_STATE_DIR'] || undefined) ?? cacheDir,
  );
  const envBrokers = process.env['ORDERSTREAM_KAFKA_NODES'];
  const brokers = checkBrokers(
    opts.brokers ?? (envBrokers ? Number(envBrokers) : undefined) ?? state?.brokers ?? 1,
    'brokers',
  );
  const kafkaPort = checkPort(
    opts.kafkaPort ?? envPort('ORDERSTREAM_KAFKA_PORT') ?? state?.kafkaPort ?? 9092,
    'kafkaPort',
  );
  const registryPort = checkPort(
    opts.registryPort ?? envPort('ORDERSTREAM_REGISTRY_PORT') ?? state?.registryPort ?? 8081,
    'registryPort',
  );
  const postgresPort = checkPort(
    opts.postgresPort ?? envPort('ORDERSTREAM_POSTGRES_PORT') ?? state?.postgresPort ?? 5432,
    'postgresPort',
  );
  if (kafkaPort + 100 + brokers > 65_535)
    throw new Error(`kafkaPort ${kafkaPort} too high (controllers use kafkaPort+100+i)`);
  return {
    brokers,
    kafkaPort,
    registryPort,
    registryManagementPort: checkPort(registryPort + 1, 'registry management port'),
    postgresPort,
    kafkaVersion:
      opts.kafkaVersion ??
      process.env['ORDERSTREAM_KAFKA_VERSION'] ??
      state?.kafkaVersion ??
      INFRA_VERSIONS.kafka,
    cacheDir,
    stateDir,
    runDir: path.join(stateDir, 'run'),
    dataDir: path.join(stateDir, 'data'),
    log: opts.log ?? (() => undefined),
    startTimeoutMs: opts.startTimeoutMs ?? 120_000,
    downloadTimeoutMs: 20 * 60_000,
  };
}

/**
 * Marker on every JVM we start, so `down` also finds processes whose pid file is gone. It names the state
 * directory (which is the cache directory unless `stateDir` is set, so the marker of a default stack is
 * unchanged): a `down` of one stack never matches another stack's JVMs.
 */
export function javaMarker(o: Resolved): string {
  return `-Dorderstream.infra.cache=${o.stateDir}`;
}

export function stateFile(runDir: string): string {
  return path.join(runDir, 'state.json');
}

export async function readState(runDir: string): Promise<RunState | undefined> {
  try {
    return JSON.parse(await fs.readFile(stateFile(runDir), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

export async function writeState(runDir: string, state: RunState): Promise<void> {
  await fs.writeFile(stateFile(runDir), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * A lock file so that concurrent `up`/`down` calls (e.g. two Jest globalSetups run in parallel by Nx)
 * serialize. A lock whose owner died is taken over.
 */
export async function acquireLock(o: Resolved, timeoutMs: number): Promise<() => Promise<void>> {
  mkdirSync(o.runDir, { recursive: true });
  const file = path.join(o.runDir, 'infra.lock');
  let owner: number | undefined;
  await waitFor(
    async () => {
      try {
        const handle = await fs.open(file, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim()) || undefined;
      if (owner === undefined || !isAlive(owner)) {
        // Stale (owner died) or half-written: remove and retry on the next poll.
        await fs.rm(file, { force: true });
      }
      return false;
    },
    {
      what: `the infra lock ${file}`,
      timeoutMs,
      intervalMs: 250,
      onTimeout: async () => `held by pid ${owner ?? '?'} (another infra up/down is running)`,
    },
  );
  return async () => {
    await fs.rm(file, { force: true });
  };
}

let mavenQueue: Promise<unknown> = Promise.resolve();

/** Runs Maven (batch mode, quiet); one invocation at a time, since they share the local repository. */
export function mvn(args: string[], o: Resolved, cwd: string, signal?: AbortSignal): Promise<void> {
  const bin = process.env['ORDERSTREAM_MVN'] ?? 'mvn';
  const next = mavenQueue.then(async () => {
    const r = await run(bin, ['-B', '-q', ...args], {
      label: `${bin} ${args[0] ?? ''}`,
      cwd,
      timeoutMs: o.downloadTimeoutMs,
      signal,
    }).catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg.startsWith('cannot run')) {
        throw new Error(
          `${msg}. Maven is needed once to fetch the jars: apt-get install maven, or set ORDERSTREAM_MVN`,
        );
      }
      throw e;
    });
    if (r.code !== 0)
      throw new Error(`${bin} ${args.join(' ')} failed (exit ${r.code}):\n${lastLines(r.output, 40)}`);
  });
  mavenQueue = next.catch(() => undefined);
  return next;
}
