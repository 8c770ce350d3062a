/**
 * `npx nx g @orderstream/tools:service <name>`: a new service from the template (docs/new-service.md).
 *
 * Writes apps/<name>/ from `files/app` (config, main, app module, consumer, one use case consuming
 * OrderPlaced and publishing the example event through the outbox, a GET endpoint with its route contract,
 * migrations with the outbox and inbox, unit and integration tests), the example event's contract from
 * `files/contracts`, and registers both: the manifest entry (so tools/infra creates its database, the relay
 * reads its outbox, the demo and the e2e system start it), the contracts' topic, context, exports and test
 * sample, and the e2e project's implicit dependency (the e2e system starts every manifest service from its
 * build). Then, on disk: docker-compose.yml and the AsyncAPI documents (docs/asyncapi/) regenerated from
 * the manifest, and `npm install` so the new workspace is linked into node_modules and recorded in
 * package-lock.json.
 *
 * Loaded by Nx through Node's own TypeScript type stripping (the workspace has no swc-node or ts-node), so
 * this folder is ESM with `.ts` import specifiers and only erasable syntax (no enums, no parameter properties).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  formatFiles,
  generateFiles,
  logger,
  readJson,
  updateJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import {
  ALL_EVENTS_FILE,
  CONTRACTS_INDEX_FILE,
  CONTRACTS_SPEC_FILE,
  MANIFEST_FILE,
  ServiceExistsError,
  TOPICS_FILE,
  addContractSample,
  addManifestEntry,
  exportContextEvents,
  nextFreePort,
  registerContextEvents,
  registerTopic,
} from './registrations.ts';
import { serviceNames } from './service-names.ts';
import { tsString } from './source-edits.ts';

export interface ServiceGeneratorOptions {
  name: string;
  port?: number;
  description?: string;
  skipInstall?: boolean;
  skipCompose?: boolean;
}

/** What the generated app imports at run time, pinned to the versions the other apps use. */
const RUNTIME_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/typeorm',
  '@orderstream/contracts',
  '@orderstream/messaging',
  '@orderstream/platform',
  '@orderstream/system',
  'pg',
  'reflect-metadata',
  'rxjs',
  'typeorm',
  'zod',
];
const DEV_DEPENDENCIES = ['@orderstream/testing'];

const E2E_PACKAGE = 'e2e/package.json';

export class MissingDependencyVersionError extends Error {
  readonly code = 'MISSING_DEPENDENCY_VERSION';

  constructor(dependency: string) {
    super(`No app under apps/ pins ${dependency}: add it to the generated package.json by hand`);
    this.name = 'MissingDependencyVersionError';
  }
}

export default async function serviceGenerator(
  tree: Tree,
  options: ServiceGeneratorOptions,
): Promise<GeneratorCallback> {
  const names = serviceNames(options.name);
  const appRoot = `apps/${names.name}`;
  if (tree.exists(appRoot)) throw new ServiceExistsError(names.name, appRoot);
  const manifest = tree.read(MANIFEST_FILE, 'utf-8') ?? '';
  const port = options.port ?? nextFreePort(manifest);
  const description =
    options.description ??
    `${names.className}: records each placed order (generated from the service template).`;

  const versions = pinnedVersions(tree);
  const substitutions = {
    ...names,
    port,
    descriptionJson: JSON.stringify(description),
    openApiDescription: tsString(`${description} Errors are application/problem+json.`),
    migrationTimestamp: Date.now(),
    dependencies: JSON.stringify(pick(versions, RUNTIME_DEPENDENCIES)),
    devDependencies: JSON.stringify(pick(versions, DEV_DEPENDENCIES)),
  };
  generateFiles(tree, join(import.meta.dirname, 'files', 'app'), appRoot, substitutions);
  generateFiles(tree, join(import.meta.dirname, 'files', 'contracts'), 'libs/contracts/src', substitutions);

  edit(tree, MANIFEST_FILE, (text) => addManifestEntry(text, { names, description, port }));
  edit(tree, TOPICS_FILE, (text) => registerTopic(text, names));
  edit(tree, ALL_EVENTS_FILE, (text) => registerContextEvents(text, names));
  edit(tree, CONTRACTS_INDEX_FILE, (text) => exportContextEvents(text, names));
  edit(tree, CONTRACTS_SPEC_FILE, (text) => addContractSample(text, names));
  if (tree.exists(E2E_PACKAGE)) {
    updateJson(tree, E2E_PACKAGE, (json: { nx?: { implicitDependencies?: string[] } }) => {
      const nx = (json.nx ??= {});
      const dependencies = (nx.implicitDependencies ??= []);
      if (!dependencies.includes(`@orderstream/${names.name}`))
        dependencies.push(`@orderstream/${names.name}`);
      return json;
    });
  }
  await formatFiles(tree);

  return () => {
    // After the tree is on disk: these read the new manifest, contracts and package.json from the files.
    if (!options.skipCompose) run(tree.root, ['run', '-s', 'compose:generate']);
    // The new service's AsyncAPI document, and the system's with it (the drift test wants them).
    run(tree.root, ['run', '-s', 'asyncapi:generate']);
    if (!options.skipInstall) run(tree.root, ['install', '--no-audit', '--no-fund']);
    logger.info(
      `${names.name} is on port ${port}, publishing ${names.eventType} on ${names.topic} and consuming ` +
        `OrderPlaced. Next: docs/new-service.md.`,
    );
  };
}

function edit(tree: Tree, file: string, change: (text: string) => string): void {
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new Error(`${file} does not exist; the generator registers the service there`);
  tree.write(file, change(text));
}

/** The version every app pins for each of its dependencies (the first app that names one wins). */
function pinnedVersions(tree: Tree): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const app of tree.children('apps')) {
    const file = `apps/${app}/package.json`;
    if (!tree.exists(file)) continue;
    const manifest = readJson<{
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    }>(tree, file);
    for (const [name, version] of Object.entries({ ...manifest.devDependencies, ...manifest.dependencies })) {
      versions[name] ??= version;
    }
  }
  return versions;
}

function pick(versions: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const version = versions[name];
      if (version === undefined) throw new MissingDependencyVersionError(name);
      return [name, version];
    }),
  );
}

function run(cwd: string, args: string[]): void {
  logger.info(`> npm ${args.join(' ')}`);
  execFileSync('npm', args, { cwd, stdio: 'inherit' });
}
