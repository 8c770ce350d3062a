/**
 * Runs a command to completion within a time budget and returns its output; past the budget its whole
 * process group is killed (npx → nx → jest → workers), so a hung step cannot outlive the test.
 */
import { spawn } from 'node:child_process';

export class CommandFailedError extends Error {
  readonly code = 'COMMAND_FAILED';
  readonly output: string;

  constructor(command: string, reason: string, output: string) {
    // The tail of the output is what says why; the whole of it is on `output`.
    super(`${command} ${reason}\n${output.slice(-20_000)}`);
    this.name = 'CommandFailedError';
    this.output = output;
  }
}

export interface BoundedRun {
  output: string;
  durationMs: number;
}

export function runBounded(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<BoundedRun> {
  const started = Date.now();
  const line = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(line, `could not start: ${error.message}`, output));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const durationMs = Date.now() - started;
      if (timedOut)
        reject(new CommandFailedError(line, `ran past its ${options.timeoutMs} ms budget`, output));
      else if (code !== 0)
        reject(new CommandFailedError(line, `failed (${signal ?? `exit ${code}`})`, output));
      else resolve({ output, durationMs });
    });
  });
}
