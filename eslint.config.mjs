// Lint rules for the whole workspace. The module-boundary rules below are the architecture in
// executable form (see docs/architecture.md); tools/lint-boundaries proves each one fails when broken.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Packages that are framework or infrastructure: contracts must stay plain TypeScript + Avro. */
const FRAMEWORK_PACKAGES = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  'express',
  'rxjs',
  'reflect-metadata',
  'pino*',
];

/** Who may depend on whom (by Nx tag). Apps never appear as a dependency of anything. */
const depConstraints = (testFiles) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:platform',
      'type:operations',
      'type:messaging',
      'type:event-store',
      'type:contracts',
      'type:system',
      ...(testFiles ? ['type:testing'] : []),
    ],
  },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:messaging'] },
  // The operator's desk (dead-letter jobs, audit, group standings): messaging plus its own database.
  {
    sourceTag: 'type:operations',
    onlyDependOnLibsWithTags: testFiles ? ['type:messaging', 'type:testing'] : ['type:messaging'],
  },
  // The messaging core is generic: it knows no app and no contract.
  { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: testFiles ? ['type:testing'] : [] },
  // The event store is generic too, and independent of messaging: a service joins the two in one
  // transaction (events appended, their outbox rows written).
  { sourceTag: 'type:event-store', onlyDependOnLibsWithTags: testFiles ? ['type:testing'] : [] },
  {
    sourceTag: 'type:contracts',
    // Its tests check the system manifest's event names against the contracts.
    onlyDependOnLibsWithTags: testFiles ? ['type:testing', 'type:system'] : [],
    bannedExternalImports: FRAMEWORK_PACKAGES,
  },
  // The manifest is data about the system that everything reads, tools/infra below the test harness
  // included: it depends on nothing.
  { sourceTag: 'type:system', onlyDependOnLibsWithTags: [], bannedExternalImports: FRAMEWORK_PACKAGES },
  // Test support stays below the messaging library so that library's own tests can use it.
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:tools'] },
  {
    sourceTag: 'type:tools',
    onlyDependOnLibsWithTags: [
      'type:messaging',
      'type:operations',
      'type:contracts',
      'type:system',
      'type:tools',
      ...(testFiles ? ['type:testing'] : []),
    ],
  },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: [
      'type:testing',
      'type:contracts',
      'type:system',
      'type:messaging',
      'type:tools',
    ],
  },
];

const boundaries = (testFiles) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: depConstraints(testFiles),
  },
];

// Benchmarks use the test harness to get their infrastructure, like tests do.
const TEST_FILES = ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts', 'e2e/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.cache',
      '**/.nx',
      '**/coverage',
      'tools/lint-boundaries/fixtures/**',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Only the kafkajs adapter folder of libs/messaging talks to the Kafka client package.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message:
                'Only libs/messaging/src/adapters/kafkajs may import kafkajs; use the messaging ports.',
            },
          ],
          patterns: [
            { group: ['kafkajs/*'], message: 'Only libs/messaging/src/adapters/kafkajs may import kafkajs.' },
          ],
        },
      ],
    },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // The messaging core (`@orderstream/messaging`) is framework-free: no Kafka client, ORM, database
    // driver or Nest, directly or through the entries that wrap them. Those live in their own folders.
    files: ['libs/messaging/src/**/*.ts'],
    ignores: [
      'libs/messaging/src/adapters/**',
      'libs/messaging/src/postgres/**',
      'libs/messaging/src/nest/**',
      'libs/messaging/src/conformance/**',
      ...TEST_FILES,
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kafkajs', 'typeorm', 'pg'].map((name) => ({
            name,
            message: `The messaging core imports no ${name}: use its ports; adapters live in their own entries.`,
          })),
          patterns: [
            {
              group: ['kafkajs/*', 'typeorm/*', 'pg/*', '@nestjs/*', 'reflect-metadata'],
              message: 'The messaging core imports no Kafka client, ORM, driver or NestJS.',
            },
            {
              group: [
                '**/adapters/**',
                '**/postgres',
                '**/postgres/**',
                '**/nest',
                '**/nest/**',
                '**/conformance',
              ],
              message:
                'The messaging core does not import its kafkajs, postgres, nest or conformance entries; they import the core.',
            },
          ],
        },
      ],
    },
  },
  {
    // The event store's core (`@orderstream/event-store`) is framework-free like the messaging core: the
    // PostgreSQL store is its own entry.
    files: ['libs/event-store/src/**/*.ts'],
    ignores: ['libs/event-store/src/postgres/**', ...TEST_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kafkajs', 'typeorm', 'pg'].map((name) => ({
            name,
            message: `The event store core imports no ${name}; the PostgreSQL store is @orderstream/event-store/postgres.`,
          })),
          patterns: [
            {
              group: ['kafkajs/*', 'typeorm/*', 'pg/*', '@nestjs/*', 'reflect-metadata'],
              message: 'The event store core imports no Kafka client, ORM, driver or NestJS.',
            },
            {
              group: ['**/postgres', '**/postgres/**'],
              message: 'The event store core does not import its postgres entry; the entry imports the core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/messaging/src/adapters/kafkajs/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Command-line programs print to the terminal by design.
    files: ['tools/**/src/cli.ts', 'tools/**/src/**/*.cli.ts', 'tools/demo/**/*.ts', 'tools/bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
];
