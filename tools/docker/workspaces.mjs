#!/usr/bin/env node
// Lists npm workspace folders for the Dockerfile, which uses them to copy only what a stage needs.
//
//   node tools/docker/workspaces.mjs dirs            every workspace (for the full install that builds)
//   node tools/docker/workspaces.mjs dirs orders     apps/orders plus every workspace it reaches through
//                                                    production `dependencies` (for the runtime image)
//
// Why: `npm ci --omit=dev --workspace=<app>` still installs the production dependencies of *every*
// workspace (tools/infra alone would add ~60 MB of PostgreSQL binaries to each service image). Giving the
// runtime install only the manifests of the app's own workspaces makes npm skip the rest of the lockfile.
// A workspace the app needs at runtime must therefore be listed in its package.json `dependencies`.
//
// Plain JavaScript on purpose: it runs in the Dockerfile before anything is installed or compiled.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function readManifest(dir) {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
}

/** Expands the root `workspaces` patterns. Only `folder` and `folder/*` are supported: that is all we use. */
function workspaceDirs() {
  const patterns = readManifest('.').workspaces ?? [];
  const dirs = patterns.flatMap((pattern) => {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) return [];
      return readdirSync(join(root, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}`);
    }
    if (/[*?{[]/.test(pattern))
      throw new Error(`unsupported workspaces pattern "${pattern}" in package.json`);
    return [pattern];
  });
  return dirs.filter((dir) => existsSync(join(root, dir, 'package.json'))).sort();
}

/** The app's folder and every workspace reachable from it through `dependencies`/`optionalDependencies`. */
function productionClosure(service) {
  const start = `apps/${service}`;
  const all = workspaceDirs();
  if (!all.includes(start)) {
    const apps = all.filter((dir) => dir.startsWith('apps/')).map((dir) => dir.slice('apps/'.length));
    throw new Error(`no workspace at ${start}; SERVICE must be one of: ${apps.join(', ')}`);
  }
  const dirByName = new Map(all.map((dir) => [readManifest(dir).name, dir]));
  const seen = new Set();
  const pending = [start];
  while (pending.length > 0) {
    const dir = pending.pop();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const { dependencies = {}, optionalDependencies = {} } = readManifest(dir);
    for (const name of Object.keys({ ...dependencies, ...optionalDependencies })) {
      const dependencyDir = dirByName.get(name);
      if (dependencyDir !== undefined) pending.push(dependencyDir);
    }
  }
  return [...seen].sort();
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command !== 'dirs' || args.length > 1) {
    throw new Error('usage: workspaces.mjs dirs [service]');
  }
  if (args.length === 1 && args[0] === '') {
    const apps = workspaceDirs()
      .filter((dir) => dir.startsWith('apps/'))
      .map((dir) => dir.slice('apps/'.length));
    throw new Error(
      `SERVICE is not set: build with --build-arg SERVICE=<app>, where <app> is one of: ${apps.join(', ')}`,
    );
  }
  const dirs = args.length === 0 ? workspaceDirs() : productionClosure(args[0]);
  process.stdout.write(`${dirs.join('\n')}\n`);
} catch (error) {
  process.stderr.write(`workspaces.mjs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
