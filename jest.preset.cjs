// Shared Jest settings. swc transpiles TypeScript (and the ESM-only @nestjs packages) to CommonJS;
// it does not type-check, which is why every project also has a `typecheck` target.
/** @type {import('@swc/core').Options} */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const base = {
  testEnvironment: 'node',
  // Resolve workspace libraries to their TypeScript sources (see the "@orderstream/source" export condition).
  testEnvironmentOptions: {
    customExportConditions: ['@orderstream/source', 'node', 'node-addons', 'require', 'default'],
  },
  transform: { '^.+\\.(t|j|mj|cj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@orderstream)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  reporters: ['default', require.resolve('./libs/testing/jest/summary-reporter.cjs')],
};

/** Unit tests: `*.spec.ts` next to the code, no infrastructure. */
const unit = {
  ...base,
  testRegex: '\\.spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '\\.(int|e2e)\\.spec\\.ts$'],
};

/** Integration tests: `*.int.spec.ts`, against real Kafka, registry and PostgreSQL provided by libs/testing. */
const integration = {
  ...base,
  testRegex: '\\.int\\.spec\\.ts$',
  testTimeout: 120_000,
  globalSetup: require.resolve('./libs/testing/jest/global-setup.cjs'),
  globalTeardown: require.resolve('./libs/testing/jest/global-teardown.cjs'),
};

/** Whole-system tests: `*.e2e.spec.ts` under e2e/. */
const e2e = { ...integration, testRegex: '\\.e2e\\.spec\\.ts$', testTimeout: 300_000 };

module.exports = { swc, unit, integration, e2e };
