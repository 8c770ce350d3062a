/**
 * The service generator end to end, as a user runs it: in a fresh copy of this workspace (the working tree
 * as it stands, see workspace-copy.ts), `npx nx g @orderstream/tools:service loyalty`, then through Nx the
 * generated service's lint, typecheck, unit and integration tests (real Kafka, registry and PostgreSQL from
 * this run's infrastructure, in a namespace and database of their own), its build, and the tests that hold
 * the system together around it: the manifest's, the contracts' (naming rules, samples, the registry's
 * compatibility check against the released schemas) and docker-compose.yml's (the file must equal what the
 * manifest renders, so the generator must have regenerated it).
 *
 * One Nx task at a time (`--parallel=1`): `npm test` already runs two tasks at once on two cores.
 * Bounded: generation within 2 minutes, the checks within 12; the timings are written to stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { copyWorkspace, linkWorkspacePackage, type WorkspaceCopy } from '../test/workspace-copy.ts';
import { runBounded } from '../test/run-bounded.ts';

const WORKSPACE = resolve(__dirname, '..', '..', '..', '..');
/** Not a name the saga or the docs' example (`shipping`) uses, so nothing in the copy already has it. */
const NAME = 'loyalty';
const GENERATE_BUDGET_MS = 2 * 60_000;
const CHECKS_BUDGET_MS = 12 * 60_000;

/**
 * The environment of this run (its infrastructure URLs included, so the copy's tests use the same stack),
 * minus what belongs to this Jest process; Nx as in CI: no daemon, no cloud, no terminal UI, no colours.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
    CI: 'true',
  };
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('JEST_') || key === 'NODE_OPTIONS' || key.startsWith('NX_TASK')) continue;
    env[key] ??= value;
  }
  return env;
}

function timing(step: string, ms: number): void {
  process.stderr.write(`[generator] ${step}: ${(ms / 1000).toFixed(1)} s\n`);
}

describe('npx nx g @orderstream/tools:service', () => {
  let copy: WorkspaceCopy;
  const read = (file: string) => readFileSync(join(copy.root, file), 'utf8');

  beforeAll(() => {
    const started = Date.now();
    copy = copyWorkspace(WORKSPACE, 'orderstream-generator-');
    timing(`copy of the workspace (${copy.files} files, node_modules linked)`, Date.now() - started);
  });
  afterAll(() => copy?.dispose());

  it(
    `scaffolds ${NAME}, whose lint, typecheck, unit, integration tests and build pass with the system's own checks`,
    async () => {
      const generated = await runBounded(
        'npx',
        ['nx', 'g', '@orderstream/tools:service', NAME, '--skipInstall', '--no-interactive'],
        { cwd: copy.root, env: childEnv(), timeoutMs: GENERATE_BUDGET_MS },
      );
      timing('generation (with compose:generate)', generated.durationMs);

      expect(existsSync(join(copy.root, `apps/${NAME}/src/${NAME}.consumer.ts`))).toBe(true);
      expect(existsSync(join(copy.root, `libs/contracts/src/${NAME}.events.ts`))).toBe(true);
      expect(read('libs/system/src/system.manifest.ts')).toContain(`name: '${NAME}'`);
      expect(read('docker-compose.yml')).toContain(`\n  ${NAME}:\n`);
      // Its Kafka API: its own AsyncAPI document, served at /asyncapi.json, and its operations in the system's.
      expect(read(`apps/${NAME}/src/main.ts`)).toContain(
        'serveAsyncApi(app, serviceAsyncApi(SERVICE_NAME, allContracts))',
      );
      expect(Object.keys(JSON.parse(read(`docs/asyncapi/${NAME}.asyncapi.json`)).operations)).toEqual([
        `${NAME}.send.${NAME}.OrderRecorded`,
        `${NAME}.receive.orders.OrderPlaced`,
      ]);
      expect(Object.keys(JSON.parse(read('docs/asyncapi/system.asyncapi.json')).operations)).toContain(
        `${NAME}.receive.orders.OrderPlaced`,
      );
      expect(JSON.parse(read('e2e/package.json')).nx.implicitDependencies).toContain(`@orderstream/${NAME}`);

      // What `npm install` (skipped in a copy, see workspace-copy.ts) would do for the new workspace.
      linkWorkspacePackage(copy.root, NAME, `apps/${NAME}`);
      const checked = await runBounded(
        'npx',
        [
          'nx',
          'run-many',
          '-t',
          'lint',
          'typecheck',
          'test',
          'test-int',
          'build',
          '-p',
          `@orderstream/${NAME}`,
          '@orderstream/system',
          '@orderstream/contracts',
          '@orderstream/docker',
          '--skip-nx-cache',
          '--outputStyle=static',
          '--parallel=1',
        ],
        { cwd: copy.root, env: childEnv(), timeoutMs: CHECKS_BUDGET_MS },
      );
      timing('lint, typecheck, test, test-int and build', checked.durationMs);

      // Every task ran, the generated service's own tests among them (not merely "no tests found").
      const output = stripVTControlCharacters(checked.output);
      expect(output).toMatch(
        /Successfully ran targets lint, typecheck, test, test-int, build for 4 projects/,
      );
      expect(output).toMatch(new RegExp(`PASS .*src/${NAME}\\.int\\.spec\\.ts`));
      expect(output).toMatch(/PASS .*src\/record-order\/record-order\.use-case\.spec\.ts/);
      expect(existsSync(join(copy.root, `apps/${NAME}/dist/main.js`))).toBe(true);
    },
    GENERATE_BUDGET_MS + CHECKS_BUDGET_MS + 30_000,
  );
});
