/**
 * Snapshots the current schemas as a release: writes one `<full record name>.avsc.json` per event into
 * `libs/contracts/released/<version>/`. Run it when a schema change is released (see released/README.md):
 *
 *   npx tsx libs/contracts/scripts/release-schemas.cli.ts 1.1.0
 *
 * A release is immutable, so an existing version folder is never overwritten.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { allEvents, fullNameOf } from '../src';
import { RELEASED_DIR, SNAPSHOT_SUFFIX, releasedVersions } from '../src/test/released-schemas';

const version = process.argv[2];
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write('usage: release-schemas.cli.ts <major.minor.patch>\n');
  process.exit(2);
}
const folder = join(RELEASED_DIR, version);
if (existsSync(folder)) {
  process.stderr.write(`${relative(process.cwd(), folder)} exists: released schemas are never rewritten\n`);
  process.exit(1);
}
const previous = releasedVersions().at(-1);
mkdirSync(folder, { recursive: true });
for (const { schema } of allEvents) {
  const file = join(folder, `${fullNameOf(schema)}${SNAPSHOT_SUFFIX}`);
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
}
process.stdout.write(
  `wrote ${allEvents.length} schemas to ${relative(process.cwd(), folder)}` +
    (previous ? ` (previous release: ${previous})\n` : ' (first release)\n'),
);
