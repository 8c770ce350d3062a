/**
 * Runs the machine's tools (docker, debootstrap, apt-get, tar, npm) for the image check. Output is kept in
 * memory and, for long commands such as builds, also written to a log file, so a failure can show the
 * lines that explain it without flooding CI's log when everything works.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A command exited non-zero (or could not start); the message ends with the tail of its output. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command} failed (exit ${exitCode ?? 'signal'}):\n${tail(output, 40)}`);
    this.name = 'CommandError';
  }
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Also append stdout and stderr here (e.g. a build log). */
  logFile?: string;
}

export interface RunResult {
  stdout: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
}

export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const command = [file, ...args].join(' ');
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
      log?.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log?.write(chunk);
    });
    child.on('error', (error) => {
      log?.end();
      reject(new CommandError(command, null, error.message));
    });
    child.on('close', (code) => {
      log?.end();
      if (code === 0) resolve({ stdout, output });
      else reject(new CommandError(command, code, output));
    });
  });
}

/** True when the command exits 0; its output is ignored. */
export async function succeeds(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<boolean> {
  try {
    await run(file, args, options);
    return true;
  } catch {
    return false;
  }
}

/** Thrown when a condition did not hold in time. */
export class WaitTimeoutError extends Error {
  constructor(description: string, timeoutMs: number, last: unknown) {
    const detail = last instanceof Error ? last.message : last === undefined ? 'no answer' : String(last);
    super(`gave up after ${timeoutMs / 1000} s waiting for ${description}; last observed: ${detail}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls until `probe` returns a value other than undefined; a throwing probe counts as "not yet" unless it
 * throws a `FatalProbeError`. (libs/testing has the same helper; tools may not depend on test support.)
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { description: string; timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = undefined;
    } catch (error) {
      if (error instanceof FatalProbeError) throw error;
      last = error;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.description, options.timeoutMs, last);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

/** A probe's way to say that waiting longer cannot help (e.g. the container exited). */
export class FatalProbeError extends Error {
  override name = 'FatalProbeError';
}
