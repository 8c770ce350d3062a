// Apicurio Registry 3.x (Quarkus fast-jar from Maven Central), in-memory storage, Confluent-compatible API.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HOST, INFRA_VERSIONS, javaMarker, mvn, type Resolved } from './config';
import { registryJava } from './java';
import {
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

const NAME = 'registry';
const MARKER = `-Dorderstream.infra.part=${NAME}`;

function files(o: Resolved): { home: string; pidFile: string; logFile: string } {
  return {
    home: path.join(o.cacheDir, 'apicurio', INFRA_VERSIONS.apicurio),
    pidFile: path.join(o.runDir, `${NAME}.pid`),
    logFile: path.join(o.runDir, `${NAME}.log`),
  };
}

export function ccompatUrl(o: Resolved): string {
  return `http://${HOST}:${o.registryPort}/apis/ccompat/v7`;
}

/** Downloads io.apicurio:apicurio-registry-app:<v>:tar.gz:all with Maven once and unpacks it into the cache. */
export async function ensureApp(o: Resolved, signal: AbortSignal): Promise<string> {
  const { home } = files(o);
  if (existsSync(path.join(home, '.complete'))) return home;
  const artifact = `io.apicurio:apicurio-registry-app:${INFRA_VERSIONS.apicurio}:tar.gz:all`;
  const downloads = path.join(o.cacheDir, 'downloads');
  await fs.mkdir(downloads, { recursive: true });
  o.log(`registry: fetching ${artifact} (~160 MB) with Maven`);
  await mvn(
    ['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${downloads}`],
    o,
    downloads,
    signal,
  );
  const tarball = path.join(downloads, `apicurio-registry-app-${INFRA_VERSIONS.apicurio}-all.tar.gz`);
  const tmp = `${home}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  const r = await run('tar', ['-xzf', tarball, '-C', tmp], {
    label: `tar -xzf ${tarball}`,
    timeoutMs: 300_000,
    signal,
  });
  if (r.code !== 0) throw new Error(`registry: unpacking ${tarball} failed (exit ${r.code}):\n${r.output}`);
  if (!existsSync(path.join(tmp, 'quarkus-run.jar')))
    throw new Error(`registry: ${tarball} has no quarkus-run.jar`);
  await fs.rm(home, { recursive: true, force: true });
  await fs.rename(tmp, home);
  await fs.writeFile(path.join(home, '.complete'), `${artifact}\n`);
  await fs.rm(tarball, { force: true }); // Maven keeps its own copy in the local repository
  o.log(`registry: unpacked into ${home}`);
  return home;
}

function isOurs(o: Resolved, pid: number): boolean {
  const cmd = commandLine(pid);
  return cmd.includes(javaMarker(o)) && cmd.includes(MARKER);
}

async function subjectsOk(o: Resolved): Promise<boolean> {
  try {
    const res = await fetch(`${ccompatUrl(o)}/subjects`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function ready(o: Resolved): Promise<string> {
  try {
    const res = await fetch(`http://${HOST}:${o.registryManagementPort}/health/ready`, {
      signal: AbortSignal.timeout(2000),
    });
    const body = (await res.json()) as { status?: string };
    return body.status ?? `HTTP ${res.status}`;
  } catch (e) {
    return `unreachable (${e instanceof Error ? e.message : String(e)})`;
  }
}

export async function registryStatus(o: Resolved): Promise<PartStatus> {
  const { pidFile, logFile } = files(o);
  const base = { name: NAME, port: o.registryPort, logFile };
  const pid = await readPidFile(pidFile);
  if (pid === undefined || !isAlive(pid) || !isOurs(o, pid))
    return { ...base, healthy: false, detail: 'not running' };
  if (!(await subjectsOk(o))) {
    return { ...base, pid, healthy: false, detail: `GET ${ccompatUrl(o)}/subjects is not 200 yet` };
  }
  return {
    ...base,
    pid,
    healthy: true,
    detail: `Apicurio Registry ${INFRA_VERSIONS.apicurio}, ccompat ${ccompatUrl(o)}, /health/ready on :${o.registryManagementPort} ${await ready(o)}`,
  };
}

export async function stopRegistry(o: Resolved): Promise<void> {
  const { pidFile } = files(o);
  const pid = await readPidFile(pidFile);
  if (pid !== undefined && isAlive(pid) && isOurs(o, pid)) {
    await terminate(pid, { signal: 'SIGTERM', group: true, graceMs: 15_000, log: o.log, name: NAME });
  }
  await fs.rm(pidFile, { force: true });
}

export async function registryUp(o: Resolved, signal: AbortSignal): Promise<PartUp> {
  const { pidFile, logFile } = files(o);
  const stop = (): Promise<void> => stopRegistry(o);
  const current = await registryStatus(o);
  if (current.healthy) {
    o.log(`registry: reusing running Apicurio Registry (pid ${current.pid})`);
    return { name: NAME, started: false, stop };
  }
  if (current.pid !== undefined) {
    o.log('registry: running but not healthy; restarting');
    await stopRegistry(o);
  }
  for (const port of [o.registryPort, o.registryManagementPort]) {
    if (!(await isPortFree(HOST, port))) {
      throw new Error(
        `registry: port ${port} is in use by another process; pick another with --registry-port / ORDERSTREAM_REGISTRY_PORT (the management/health port is registryPort+1)`,
      );
    }
  }
  const [home, java] = await Promise.all([ensureApp(o, signal), registryJava()]);
  const started = Date.now();
  const pid = await spawnDetached({
    command: java.bin,
    args: [
      '-Xms128m',
      '-Xmx512m',
      // C1 only: Quarkus starts in ~5 s instead of ~9 s on 2 cores; plenty for a local schema registry.
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      javaMarker(o),
      MARKER,
      `-Dquarkus.http.host=${HOST}`,
      `-Dquarkus.http.port=${o.registryPort}`,
      `-Dquarkus.management.host=${HOST}`,
      `-Dquarkus.management.port=${o.registryManagementPort}`,
      // In-memory storage (H2 in-memory database): state is gone when the process stops.
      '-Dapicurio.storage.kind=sql',
      '-Dapicurio.storage.sql.kind=h2',
      // Local development: allow deleting subjects/artifacts (tests clean up after themselves).
      '-Dapicurio.rest.deletion.group.enabled=true',
      '-Dapicurio.rest.deletion.artifact.enabled=true',
      '-Dapicurio.rest.deletion.artifact-version.enabled=true',
      '-jar',
      'quarkus-run.jar',
    ],
    cwd: home,
    logFile,
  });
  await fs.writeFile(pidFile, `${pid}\n`);
  o.log(
    `registry: started Apicurio Registry ${INFRA_VERSIONS.apicurio} (pid ${pid}, port ${o.registryPort}, Java ${java.version})`,
  );
  try {
    await waitFor(
      async () => {
        if (!isAlive(pid)) {
          throw new Error(
            `registry: Apicurio Registry (pid ${pid}) ${describeExit(pid)} during startup\n--- last lines of ${logFile} ---\n${await tailFile(logFile, 40)}`,
          );
        }
        return subjectsOk(o);
      },
      {
        what: `Apicurio Registry: GET ${ccompatUrl(o)}/subjects = 200`,
        timeoutMs: o.startTimeoutMs,
        signal,
        onTimeout: async () => `--- last lines of ${logFile} ---\n${await tailFile(logFile, 40)}`,
      },
    );
  } catch (e) {
    await stopRegistry(o).catch(() => undefined);
    throw e;
  }
  o.log(`registry: healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { name: NAME, started: true, stop, runtime: `Java ${java.version}` };
}
