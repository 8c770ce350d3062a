/**
 * schemathesis (Python, from PyPI) for the e2e tests: installed once into a virtual environment under the
 * workspace's .cache, at a pinned version (a version of its own per directory, so bumping the pin installs
 * afresh), then run against a service's `/docs-json` with every check. pip reads the machine's own settings
 * (index, CA bundle) from its environment, which is passed through.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SCHEMATHESIS_VERSION = '4.32.5';

const WORKSPACE = resolve(__dirname, '..', '..', '..');
const CACHE = join(WORKSPACE, '.cache', 'schemathesis');
const VENV = join(CACHE, `venv-${SCHEMATHESIS_VERSION}`);
const EXECUTABLE = join(VENV, 'bin', 'schemathesis');
const CONFIG = join(__dirname, 'schemathesis.toml');

export interface CommandResult {
  exitCode: number | null;
  /** stdout and stderr, interleaved as written. */
  output: string;
  timedOut: boolean;
}

/** Runs a command to its end (or kills it after `timeoutMs`) and collects its output. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    // In .cache, where schemathesis keeps its own `.schemathesis` state, out of the work tree.
    const child = spawn(command, args, { cwd: CACHE, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, output, timedOut });
    });
  });
}

/** Creates the venv and installs the pinned schemathesis unless it is there already; its executable. */
export async function installSchemathesis(timeoutMs = 300_000): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  if (existsSync(EXECUTABLE)) {
    const version = await run(EXECUTABLE, ['--version'], 30_000);
    if (version.exitCode === 0 && version.output.includes(SCHEMATHESIS_VERSION)) return EXECUTABLE;
  }
  for (const [command, args] of [
    ['python3', ['-m', 'venv', '--clear', VENV]],
    [join(VENV, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]],
  ] as const) {
    const result = await run(command, args, timeoutMs);
    if (result.exitCode !== 0) {
      throw new Error(`Installing schemathesis failed: ${command} ${args.join(' ')}\n${result.output}`);
    }
  }
  return EXECUTABLE;
}

export interface SchemathesisRun extends CommandResult {
  /** "Test cases: N generated" of the summary; undefined when the run did not get that far. */
  cases: number | undefined;
  seconds: number;
}

export interface SchemathesisOptions {
  /** Hypothesis examples per operation and phase. */
  maxExamples: number;
  /** The wall-clock bound of the run: past it the process is killed and the run fails. */
  timeoutMs: number;
  seed: number;
}

/** One run against a live document with every check, all phases (stateful ones follow the links). */
export async function runSchemathesis(
  executable: string,
  documentUrl: string,
  { maxExamples, timeoutMs, seed }: SchemathesisOptions,
): Promise<SchemathesisRun> {
  const started = performance.now();
  const result = await run(
    executable,
    [
      '--config-file',
      CONFIG,
      'run',
      documentUrl,
      '--checks',
      'all',
      '--max-examples',
      String(maxExamples),
      '--seed',
      String(seed),
      // The machine has two cores, shared with the four services under test.
      '--workers',
      '1',
      '--request-timeout',
      '10',
      '--no-color',
    ],
    timeoutMs,
  );
  const cases = /(\d+) generated/.exec(result.output)?.[1];
  return {
    ...result,
    cases: cases === undefined ? undefined : Number(cases),
    seconds: (performance.now() - started) / 1000,
  };
}
