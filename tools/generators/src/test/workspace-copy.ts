/**
 * A throwaway copy of this workspace to run a generator in, so the shared working tree never receives a
 * generated service.
 *
 * What is copied: every file git tracks plus the untracked ones it does not ignore, as they stand in the
 * working tree (so uncommitted changes are part of the copy). What is not: node_modules. Installing them
 * again (`npm ci --offline`) costs minutes of CPU on a small CI machine, so the copy's node_modules is a
 * folder of symlinks into the original's, entry by entry: third-party packages are shared read-only, while
 * `@orderstream/*` is a real folder whose links point at the copy's own workspaces (as npm links them), so
 * the copy builds and tests its own sources. Nothing in the copy writes into the original: Nx keeps its
 * workspace data in the copy's `.nx`, and `npm install` must not be run in it (it would rewrite the shared
 * packages through the links); a new workspace is linked with `linkWorkspacePackage` instead.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface WorkspaceCopy {
  root: string;
  /** How many files were copied. */
  files: number;
  dispose(): void;
}

/** Folders (relative to a workspace root) whose `node_modules` npm may have filled, besides the root's. */
const WORKSPACE_PARENTS = ['apps', 'libs', 'tools'];

export function copyWorkspace(source: string, prefix = 'orderstream-workspace-'): WorkspaceCopy {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: source,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  let files = 0;
  for (const file of new Set(listed)) {
    const from = join(source, file);
    // Tracked but deleted in the working tree: the copy mirrors the working tree, so it has no such file.
    if (!existsSync(from)) continue;
    const to = join(root, file);
    mkdirSync(dirname(to), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
    files += 1;
  }
  linkNodeModules(join(source, 'node_modules'), join(root, 'node_modules'));
  for (const parent of WORKSPACE_PARENTS.map((p) => join(source, p)).filter(existsSync)) {
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const nested = join(parent, entry.name, 'node_modules');
      const target = join(root, relative(source, nested));
      if (entry.isDirectory() && existsSync(nested) && existsSync(dirname(target))) {
        symlinkSync(nested, target);
      }
    }
  }
  return { root, files, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Makes `node_modules/@orderstream/<name>` of the copy point at `<folder>` as npm would link a new
 * workspace (the generator's own `npm install` is skipped in a copy, see above).
 */
export function linkWorkspacePackage(root: string, name: string, folder: string): void {
  const link = join(root, 'node_modules', '@orderstream', name);
  symlinkSync(relative(dirname(link), join(root, folder)), link);
}

function linkNodeModules(from: string, to: string): void {
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    // npm's hidden lockfile and tool caches belong to the original install; the copy starts without them.
    if (entry === '.package-lock.json' || entry === '.cache') continue;
    if (entry === '@orderstream') {
      mkdirSync(join(to, entry));
      for (const name of readdirSync(join(from, entry))) {
        // Workspace links are relative (../../libs/x), so recreated as they are they point into the copy.
        const link = join(from, entry, name);
        if (lstatSync(link).isSymbolicLink()) symlinkSync(readlinkSync(link), join(to, entry, name));
      }
      continue;
    }
    symlinkSync(join(from, entry), join(to, entry));
  }
}
