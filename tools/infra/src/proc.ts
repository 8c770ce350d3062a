// Process, port and polling helpers for the native infrastructure. Linux-first (uses /proc), Node built-ins only.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export type Log = (line: string) => void;

interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Exit information of the processes this Node process spawned (detached ones included). */
const exits = new Map<number, ProcessExit>();

const HAS_PROC = existsSync('/proc/self/stat');

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...]. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (HAS_PROC) {
    const state = statFields(pid)?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function processGroupOf(pid: number): number | undefined {
  const pgrp = statFields(pid)?.[2];
  return pgrp === undefined ? undefined : Number(pgrp);
}

/** The command line of a process, arguments joined by spaces ('' if unknown). */
export function commandLine(pid: number): string {
  try {
    if (HAS_PROC) return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    // No /proc (macOS): ask ps.
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Pids of all processes whose command line satisfies the predicate. */
export function findProcesses(matches: (cmdline: string) => boolean): number[] {
  if (!HAS_PROC) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || !isAlive(pid)) continue;
    if (matches(commandLine(pid))) pids.push(pid);
  }
  return pids;
}

function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) return isAlive(pgid) ? [pgid] : [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[2]) === pgid)
      pids.push(Number(entry));
  }
  return pids;
}

/** How a process we spawned ended, if we saw it end. */
export function describeExit(pid: number): string {
  const exit = exits.get(pid);
  if (!exit) return 'process is gone';
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}

export interface DetachedSpawn {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr go here (truncated first). */
  logFile: string;
  uid?: number;
  gid?: number;
}

/**
 * Starts a process in its own session and process group, with stdout/stderr to a file, not tied to this
 * Node process: it survives our exit (the CLI's, Jest's).
 */
export async function spawnDetached(s: DetachedSpawn): Promise<number> {
  const fd = openSync(s.logFile, 'w');
  try {
    const child = spawn(s.command, s.args, {
      cwd: s.cwd,
      env: s.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(s.uid === undefined ? {} : { uid: s.uid }),
      ...(s.gid === undefined ? {} : { gid: s.gid }),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`cannot start ${s.command}: ${err.message}`)));
      child.once('spawn', () => {
        if (child.pid === undefined) reject(new Error(`cannot start ${s.command}: no pid`));
        else resolve(child.pid);
      });
    });
    child.on('exit', (code, signal) => exits.set(pid, { code, signal }));
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

export interface RunOptions {
  /** How to name the command in errors (default: the command and its arguments). */
  label?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command to completion, collecting stdout+stderr (last 256 KiB). Rejects on timeout, abort or spawn
 * error. The command gets its own process group, so that a timeout or an abort also ends whatever it
 * started (Maven's JVM, initdb's postgres).
 */
export function run(command: string, args: string[], o: RunOptions): Promise<RunResult> {
  const label = o.label ?? `${command} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 262_144) output = output.slice(-262_144);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let failure: Error | undefined;
    const stop = (error: Error): void => {
      failure = error;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(
      () =>
        stop(
          new Error(
            `${label}: timed out after ${Math.round(o.timeoutMs / 1000)} s\n${lastLines(output, 40)}`,
          ),
        ),
      o.timeoutMs,
    );
    const onAbort = (): void => stop(new AbortedError(label));
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      reject(new Error(`cannot run ${label}: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ code, output });
    });
  });
}

export function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n).join('\n');
}

/** The last n lines of a file ('' if it does not exist). */
export async function tailFile(file: string, n = 40): Promise<string> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return lastLines(buffer.toString('utf8'), n);
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when nothing listens on host:port (we can bind it and nobody answers on it). */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  const bindable = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
  return bindable && !(await isPortOpen(host, port, 500));
}

export interface WaitOptions {
  /** What we are waiting for, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Extra text for the timeout error (e.g. a log tail). */
  onTimeout?: () => Promise<string>;
}

/** Polls `check` until it returns true. `check` may throw to fail fast. */
export async function waitFor(check: () => Promise<boolean> | boolean, o: WaitOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 200;
  for (;;) {
    if (o.signal?.aborted) throw new AbortedError(o.what);
    if (await check()) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      const extra = o.onTimeout ? await o.onTimeout() : '';
      throw new Error(
        `Timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${o.what}${extra ? `\n${extra}` : ''}`,
      );
    }
    await delay(Math.min(interval, left));
  }
}

/** Thrown by waitFor when another part of the same `up` failed first. */
export class AbortedError extends Error {
  constructor(what: string) {
    super(`aborted: ${what}`);
    this.name = 'AbortedError';
  }
}

export interface TerminateOptions {
  /** First signal (SIGTERM for the JVMs, SIGINT = "fast shutdown" for PostgreSQL). */
  signal: NodeJS.Signals;
  /** Signal the whole process group (true) or just the process (false) first. SIGKILL always hits the group. */
  group: boolean;
  /** How long to wait after the first signal before SIGKILL. */
  graceMs: number;
  log: Log;
  name: string;
}

/** Stops a process (and its process group, if it leads one), escalating to SIGKILL after a bounded wait. */
export async function terminate(pid: number, o: TerminateOptions): Promise<void> {
  if (!isAlive(pid)) return;
  const pgid = processGroupOf(pid);
  // Only signal a group that the process leads (we start every process detached, so it does), and never our own.
  const ownGroup = processGroupOf(process.pid);
  const leadsGroup = pgid === pid && pgid !== ownGroup;
  const gone = (): boolean => (leadsGroup ? groupMembers(pid).length === 0 : !isAlive(pid));
  const send = (sig: NodeJS.Signals, toGroup: boolean): void => {
    try {
      process.kill(toGroup && leadsGroup ? -pid : pid, sig);
    } catch {
      // already gone
    }
  };
  send(o.signal, o.group);
  try {
    await waitFor(gone, { what: `${o.name} (pid ${pid}) to exit`, timeoutMs: o.graceMs, intervalMs: 100 });
    return;
  } catch {
    o.log(
      `${o.name} (pid ${pid}) did not exit within ${Math.round(o.graceMs / 1000)} s after ${o.signal}; sending SIGKILL`,
    );
  }
  send('SIGKILL', true);
  await waitFor(gone, {
    what: `${o.name} (pid ${pid}) to exit after SIGKILL`,
    timeoutMs: 10_000,
    intervalMs: 100,
  });
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await fs.readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
