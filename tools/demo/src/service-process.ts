/**
 * Starts a built service as a child process, waits until it is ready, and stops it with SIGTERM the way an
 * orchestrator would, so a slow or unclean shutdown shows up as a failure instead of a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ServiceName } from './services';

export interface ServiceProcess {
  name: ServiceName;
  url: string;
  pid: number;
  /** The service's JSON log lines, as written. */
  logFile: string;
  /** Sends SIGTERM and resolves with the exit code; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Resolves when the process exits for any reason. */
  exited: Promise<number | null>;
}

export interface StartServiceOptions {
  name: ServiceName;
  port: number;
  env: Record<string, string>;
  workspaceRoot: string;
  logDir: string;
  readyTimeoutMs?: number;
  /**
   * Aborting it while the service is not ready yet stops the child (SIGTERM, SIGKILL after 5 s) and
   * rejects: a launcher that is told to stop during start-up must not leave a half-started service behind.
   */
  signal?: AbortSignal;
  /** A second or third instance of one service: names its log file (`<name>.<instance>.log`). */
  instance?: string;
  /** Called with the child's pid as soon as it is spawned, before it is ready. */
  onSpawn?: (pid: number) => void;
}

/** The start was cancelled through `StartServiceOptions.signal`; the child is gone. */
export class ServiceStartAbortedError extends Error {
  override readonly name = 'ServiceStartAbortedError';
  readonly code = 'DEMO_SERVICE_START_ABORTED';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Whether something already listens on the port. Readiness is polled by URL, so a process left over from
 * an earlier run would answer for the new one while the new one dies of EADDRINUSE.
 */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const { name, port, workspaceRoot } = options;
  if (await portInUse(port)) {
    throw new Error(
      `${name}: port ${port} is in use by another process (a service left from an earlier run? see \`ss -ltnp\`)`,
    );
  }
  const entry = join(workspaceRoot, 'apps', name, 'dist', 'main.js');
  const logFile = join(options.logDir, options.instance ? `${name}.${options.instance}.log` : `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: workspaceRoot,
    env: { ...process.env, ...options.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in a terminal reaches only the launcher, which then stops the services
    // one signal each, in order, and can report how each one exited.
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (signal) log.write(`${JSON.stringify({ msg: `launcher: ${name} was killed by ${signal}` })}\n`);
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const stop = async (timeoutMs: number): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!(await isReady(url))) {
    if (options.signal?.aborted) {
      await stop(5_000);
      throw new ServiceStartAbortedError(`${name}: start cancelled before it was ready`);
    }
    if (exitCode !== undefined)
      throw new Error(`${name} exited with code ${exitCode} before it was ready; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `${name} was not ready at ${url}/health/ready within ${options.readyTimeoutMs ?? 60_000} ms; see ${logFile}`,
      );
    }
    await pause(200);
  }

  return {
    name,
    url,
    pid: child.pid ?? -1,
    logFile,
    exited,
    stop: (timeoutMs = 15_000) => stop(timeoutMs),
  };
}
