/**
 * The architecture rules bite: each forbidden import is rejected by lint, each allowed one passes.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BOUNDARY_CASES } from './boundary-cases';

const workspaceRoot = join(__dirname, '..', '..', '..');

describe('module boundaries', () => {
  let reported: Record<string, string[]>;

  beforeAll(() => {
    // The Nx rule reads the cached project graph and silently skips itself without one: compute it first.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
      cwd: workspaceRoot,
      stdio: 'ignore',
    });
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'lint-boundary-cases.cli.ts')],
      {
        cwd: workspaceRoot,
        encoding: 'utf8',
      },
    );
    reported = JSON.parse(output) as Record<string, string[]>;
  }, 120_000);

  it.each(BOUNDARY_CASES.map((c) => [c.name, c] as const))('%s', (name, fixture) => {
    expect(reported[name]).toEqual(fixture.expectedRule ? [fixture.expectedRule] : []);
  });
});
