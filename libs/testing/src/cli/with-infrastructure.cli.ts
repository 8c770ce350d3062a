/**
 * `npm test`: provides the infrastructure once (explicit URLs, else the provider ORDERSTREAM_INFRA names,
 * native by default under CI=true), runs the given command with it in the environment, prints the versions
 * the tests ran against and the number of tests run, and stops whatever it started, also on Ctrl-C.
 *
 * usage: with-infrastructure -- <command> [args…]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infrastructureToEnv } from '../infrastructure/infrastructure';
import { InfrastructureSelectionError } from '../infrastructure/infrastructure-preference';
import { provideInfrastructure } from '../infrastructure/provide-infrastructure';

interface RunSummary {
  project: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    if (!file) return reject(new Error('with-infrastructure: no command given after --'));
    const child = spawn(file, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function readSummaries(dir: string): RunSummary[] {
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunSummary);
}

async function main(): Promise<void> {
  const separator = process.argv.indexOf('--');
  const command = separator >= 0 ? process.argv.slice(separator + 1) : [];
  const started = Date.now();
  const provided = await provideInfrastructure({ log: (line) => out(`[infra] ${line}`) });
  const { infra } = provided;
  const versions = `${infra.versions.kafka} | ${infra.versions.schemaRegistry} | ${infra.versions.postgres}`;
  out(`[infra] ready in ${((Date.now() - started) / 1000).toFixed(1)} s via ${infra.source}: ${versions}`);

  const summaryDir = mkdtempSync(join(tmpdir(), 'orderstream-tests-'));
  let exitCode: number;
  try {
    exitCode = await runCommand(command, {
      ...process.env,
      ...infrastructureToEnv(infra),
      ORDERSTREAM_TEST_SUMMARY_DIR: summaryDir,
    });
  } finally {
    await provided.stop();
  }

  const runs = readSummaries(summaryDir);
  rmSync(summaryDir, { recursive: true, force: true });
  const sum = (key: 'total' | 'passed' | 'failed' | 'skipped') => runs.reduce((n, r) => n + r[key], 0);
  out('');
  out(`Infrastructure (${infra.source}): ${versions}`);
  out(
    `Tests run: ${sum('total')} in ${runs.length} Jest runs — passed ${sum('passed')}, failed ${sum('failed')}, skipped ${sum('skipped')}`,
  );
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  // A selection error's message is the whole story (what failed, how to choose another provider).
  const text =
    error instanceof InfrastructureSelectionError
      ? `with-infrastructure: ${error.message}`
      : ((error as Error).stack ?? String(error));
  process.stderr.write(`${text}\n`);
  process.exitCode = 1;
});
