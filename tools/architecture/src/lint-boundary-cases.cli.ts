/**
 * Lints every boundary fixture with the workspace's real ESLint configuration and prints, as JSON, the rule
 * ids reported for each. Run as a child process by module-boundaries.spec.ts, because ESLint loads its
 * flat config with a native dynamic import that Jest's module sandbox does not support.
 */
import { ESLint } from 'eslint';
import { BOUNDARY_CASES } from './boundary-cases';

async function main(): Promise<void> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const results: Record<string, string[]> = {};
  for (const fixture of BOUNDARY_CASES) {
    const [result] = await eslint.lintText(fixture.code, { filePath: fixture.filePath });
    results[fixture.name] = (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
