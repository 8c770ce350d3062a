/**
 * Reads the released schema snapshots in `libs/contracts/released/<version>/*.avsc.json` (see
 * released/README.md). Test support only: excluded from the build, used by the compatibility tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fullNameOf, type RecordSchema } from '../event-contract';

export const RELEASED_DIR = join(__dirname, '..', '..', 'released');
export const SNAPSHOT_SUFFIX = '.avsc.json';

export interface Release {
  version: string;
  /** The released schemas by full record name (which is also each file's name, less the suffix). */
  schemas: Map<string, RecordSchema>;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** The released versions, oldest first, compared numerically (so 1.10.0 comes after 1.9.0). */
export function releasedVersions(dir = RELEASED_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && SEMVER.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => {
      const [x, y] = [parts(a), parts(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
}

function parts(version: string): [number, number, number] {
  const [, major, minor, patch] = SEMVER.exec(version) ?? [];
  return [Number(major), Number(minor), Number(patch)];
}

export function readRelease(version: string, dir = RELEASED_DIR): Release {
  const folder = join(dir, version);
  const schemas = new Map<string, RecordSchema>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith(SNAPSHOT_SUFFIX))) {
    const schema = JSON.parse(readFileSync(join(folder, file), 'utf8')) as RecordSchema;
    const name = file.slice(0, -SNAPSHOT_SUFFIX.length);
    if (fullNameOf(schema) !== name) {
      throw new Error(`${version}/${file} holds ${fullNameOf(schema)}; the file must be named after it`);
    }
    schemas.set(name, schema);
  }
  return { version, schemas };
}

/** The newest release: what the current schemas must stay compatible with. */
export function latestRelease(dir = RELEASED_DIR): Release {
  const versions = releasedVersions(dir);
  const latest = versions.at(-1);
  if (!latest) throw new Error(`No released schema snapshots in ${dir}`);
  return readRelease(latest, dir);
}
