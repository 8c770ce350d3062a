/**
 * The core entry's dependency graph, as Node actually loads it: `@orderstream/messaging` pulls in none of
 * kafkajs, TypeORM, pg or NestJS, while the adapter entries do (which shows the check can fail). Lint rules
 * stop the imports in source; this catches a package reached through something else.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const FORBIDDEN = /^(kafkajs|typeorm|pg|pg-[a-z-]+|@nestjs\/[a-z-]+|reflect-metadata)$/;

/** The packages (under node_modules) that loading `entry` brings into the module cache. */
function packagesLoadedBy(entry: string): string[] {
  const script = `
    require(${JSON.stringify(entry)});
    const names = Object.keys(require.cache)
      .filter((path) => path.includes('/node_modules/'))
      .map((path) => path.split('/node_modules/').pop().split('/'))
      .map(([scope, name]) => (scope.startsWith('@') ? scope + '/' + name : scope));
    process.stdout.write(JSON.stringify([...new Set(names)].sort()));`;
  const output = execFileSync(
    process.execPath,
    ['--conditions=@orderstream/source', '--import', 'tsx', '-e', script],
    { cwd: join(__dirname, '..'), encoding: 'utf8' },
  );
  return JSON.parse(output) as string[];
}

describe('entry points', () => {
  it('loads the core without kafkajs, TypeORM, pg or NestJS', () => {
    expect(packagesLoadedBy('./src/index.ts').filter((name) => FORBIDDEN.test(name))).toEqual([]);
  }, 30_000);

  it('loads the conformance suite without them too: an adapter brings its own client', () => {
    expect(packagesLoadedBy('./src/conformance/index.ts').filter((name) => FORBIDDEN.test(name))).toEqual([]);
  }, 30_000);

  it.each([
    ['./src/adapters/kafkajs/index.ts', 'kafkajs'],
    ['./src/postgres/index.ts', 'typeorm'],
    ['./src/nest/index.ts', '@nestjs/common'],
  ])(
    '%s brings in %s',
    (entry, expected) => {
      expect(packagesLoadedBy(entry)).toContain(expected);
    },
    30_000,
  );
});
