/**
 * promtool, Prometheus's own checker, for the static checks of the compose Prometheus and the dashboard:
 * it parses configuration and PromQL with Prometheus's code, so nothing here re-implements either. Debian's
 * `prometheus` package brings it; CI installs it (.ci/run) before `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  ok: boolean;
  output: string;
}

let available: boolean | undefined;

export function promtoolAvailable(): boolean {
  available ??= spawnSync('promtool', ['--version'], { encoding: 'utf8' }).error === undefined;
  return available;
}

export function promtool(...args: string[]): PromtoolResult {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/**
 * Parses PromQL expressions with Prometheus's parser: each becomes a recording rule named after its key
 * (a valid metric name) in a temporary rule file, which `promtool check rules` reads.
 */
export function checkExpressions(expressions: Record<string, string>): PromtoolResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderstream-promql-'));
  try {
    const file = path.join(dir, 'expressions.rules.yml');
    const rules = Object.entries(expressions).map(([record, expr]) => ({ record, expr }));
    writeFileSync(file, stringify({ groups: [{ name: 'expressions', rules }] }));
    return promtool('check', 'rules', file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A test that needs promtool. Without it, skipped, saying why, on a developer's machine; under CI (which
 * installs it) it runs and fails instead, so that a check can never vanish silently.
 */
export function itWithPromtool(name: string, test: () => void): void {
  if (promtoolAvailable()) return it(name, test);
  if (process.env['CI'])
    return it(name, () => {
      throw new Error(
        "promtool not found: CI installs Debian's prometheus package before npm test (.ci/run)",
      );
    });
  it.skip(`${name} [SKIPPED: promtool not found; apt-get install --no-install-recommends prometheus]`, test);
}
