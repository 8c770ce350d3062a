/**
 * A Docker engine for building and running the service images on a machine that has none (CI): Debian's
 * docker.io (dockerd and the docker client, 20.10) and debootstrap are installed when missing, and dockerd
 * is started with overlay2 when no engine answers — and stopped again at the end, since this step started it.
 *
 * The engine this step starts listens on its own socket, not on /var/run/docker.sock: test runs that look
 * for Docker at the default address (Testcontainers' `auto`) must not find it and switch providers. Its
 * data stays in /var/lib/docker, so the base image and the build cache survive to the next run on the
 * same machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandError, FatalProbeError, run, succeeds, tail, waitUntil } from './command';

/** Debian's client, not whatever `docker` comes first on PATH: a newer client without buildx refuses
 * DOCKER_BUILDKIT=1 builds, and Debian's is the one that matches Debian's dockerd. */
export const DOCKER = '/usr/bin/docker';
const DOCKERD = '/usr/sbin/dockerd';

/** Where the engine this step starts listens, and keeps its runtime state. */
const OWN_ENGINE_DIR = '/run/orderstream-docker';
const OWN_ENGINE_HOST = `unix://${OWN_ENGINE_DIR}/docker.sock`;

export interface Engine {
  /** DOCKER_HOST for every docker command of this step. */
  host: string;
  version: string;
  /** True when this step started dockerd (and so stops it). */
  started: boolean;
  /** The environment for docker commands: DOCKER_HOST set, BuildKit on. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

async function installed(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

/**
 * Installs Debian packages that are missing. Package scripts are kept from starting services (dockerd on
 * the default socket, see the top): a policy-rc.d that denies every start, unless the machine has one.
 */
export async function ensureDebianPackages(
  packages: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) if (!(await installed(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages ${missing.join(', ')}; install them (as root: apt-get install ${missing.join(' ')})`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy)
    writeFileSync(
      policy,
      '#!/bin/sh\n# orderstream ci-images: no service starts during apt-get\nexit 101\n',
      { mode: 0o755 },
    );
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-qq'], { env });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

function dockerEnv(host: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '1' };
}

/** The engine's version when one answers at `host`. */
export async function engineVersion(host: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], {
      env: dockerEnv(host),
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An engine that answers (DOCKER_HOST, the default socket, or ours from an earlier run); else a new dockerd. */
export async function ensureEngine(logDir: string, log: (line: string) => void): Promise<Engine> {
  const candidates = [process.env['DOCKER_HOST'] || 'unix:///var/run/docker.sock', OWN_ENGINE_HOST];
  for (const host of candidates) {
    const version = await engineVersion(host);
    if (version) {
      log(`docker: using the engine at ${host} (${version})`);
      return { host, version, started: false, env: dockerEnv(host), stop: async () => undefined };
    }
  }

  mkdirSync(OWN_ENGINE_DIR, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'dockerd.log');
  const args = [
    '--host',
    OWN_ENGINE_HOST,
    '--pidfile',
    `${OWN_ENGINE_DIR}/dockerd.pid`,
    '--exec-root',
    `${OWN_ENGINE_DIR}/exec`,
    '--storage-driver',
    'overlay2',
  ];
  log(`docker: no engine answers; starting ${DOCKERD} on ${OWN_ENGINE_HOST} (log: ${logFile})`);
  const out = openSync(logFile, 'w');
  // Its own process group, so a Ctrl-C meant for this step reaches dockerd only through stop().
  const dockerd = spawn(DOCKERD, args, { detached: true, stdio: ['ignore', out, out] });
  dockerd.unref();
  const pid = dockerd.pid;
  if (pid === undefined) throw new Error(`could not start ${DOCKERD}`);
  const logTail = () => tail(readFileSync(logFile, 'utf8'), 30);
  let version: string;
  try {
    version = await waitUntil(
      async () => {
        if (!processAlive(pid)) throw new FatalProbeError(`dockerd exited:\n${logTail()}`);
        return engineVersion(OWN_ENGINE_HOST);
      },
      { description: `dockerd on ${OWN_ENGINE_HOST}`, timeoutMs: 60_000 },
    );
  } catch (error) {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    throw error;
  }
  log(`docker: dockerd ${version} is up (pid ${pid})`);
  return {
    host: OWN_ENGINE_HOST,
    version,
    started: true,
    env: dockerEnv(OWN_ENGINE_HOST),
    stop: async () => {
      // dockerd stops its containers and its managed containerd on SIGTERM; give it the time it takes.
      process.kill(pid, 'SIGTERM');
      try {
        await waitUntil(async () => (processAlive(pid) ? undefined : true), {
          description: `dockerd (pid ${pid}) to exit`,
          timeoutMs: 30_000,
        });
      } catch {
        process.kill(pid, 'SIGKILL');
      }
      log(`docker: stopped the dockerd this step started (pid ${pid})`);
    },
  };
}

/** `docker <args>` against the engine. */
export function docker(
  engine: Engine,
  args: readonly string[],
  options: { logFile?: string; cwd?: string } = {},
) {
  return run(DOCKER, args, { ...options, env: engine.env });
}

/** True when the engine has the image. */
export function hasImage(engine: Engine, image: string): Promise<boolean> {
  return succeeds(DOCKER, ['image', 'inspect', image], { env: engine.env });
}

export { CommandError };
