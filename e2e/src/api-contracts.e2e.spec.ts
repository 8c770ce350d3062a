/**
 * The services' HTTP APIs against their own OpenAPI documents, as a new user would test them: schemathesis
 * (pinned, from PyPI, installed into .cache) runs every check and every phase (examples, coverage, fuzzing,
 * and the stateful phase, which follows the documents' links: a placed order is fetched and cancelled)
 * against each running service's `/docs-json`. Any failure fails the test, with schemathesis's report.
 *
 * Bounded: a fixed seed and example count per operation keep each run to seconds on this machine; the
 * wall-clock bound kills a run that takes longer, which fails too.
 */
import { SagaSystem } from './support/saga-system';
import { installSchemathesis, runSchemathesis, type SchemathesisRun } from './schemathesis/schemathesis';

/** Examples per operation and phase: ~700 cases for orders, ~200 for the others, in a few seconds each. */
const MAX_EXAMPLES = 50;
const RUN_TIMEOUT_MS = 150_000;

/** The services with an HTTP API of their own (the relay has health and metrics only). */
const SERVICES = ['orders', 'payments', 'inventory', 'order-history'] as const;

describe('the HTTP APIs against their OpenAPI documents (schemathesis)', () => {
  let system: SagaSystem;
  let schemathesis: string;
  const runs = new Map<string, SchemathesisRun>();

  beforeAll(async () => {
    // Installing on a fresh machine takes about a minute; later runs reuse the venv.
    [schemathesis, system] = await Promise.all([installSchemathesis(), SagaSystem.start()]);
  }, 420_000);

  afterAll(async () => {
    await system?.dispose();
    // The numbers the CI log should show: cases and time per service.
    const summary = [...runs].map(
      ([name, run]) => `${name}: ${run.cases ?? '?'} cases in ${run.seconds.toFixed(1)} s`,
    );
    if (summary.length > 0) process.stdout.write(`schemathesis: ${summary.join('; ')}\n`);
  });

  it.each(SERVICES)(
    '%s answers as its document says, with no failure of any check',
    async (name) => {
      const run = await runSchemathesis(schemathesis, `${system.url(name)}/docs-json`, {
        maxExamples: MAX_EXAMPLES,
        timeoutMs: RUN_TIMEOUT_MS,
        seed: 1,
      });
      runs.set(name, run);
      if (run.exitCode !== 0) {
        // The report says which check failed, on which operation, and how to reproduce it.
        throw new Error(
          `schemathesis ${run.timedOut ? `timed out after ${RUN_TIMEOUT_MS} ms` : `exited ${run.exitCode}`} ` +
            `for ${name} (service logs in ${system.logDir}):\n${run.output}`,
        );
      }
      expect(run.output).toMatch(/Test cases:\s+\d+ generated, \d+ passed/);
      expect(run.cases).toBeGreaterThan(100);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
