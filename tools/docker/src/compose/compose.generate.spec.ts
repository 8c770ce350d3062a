import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM, type SystemManifest } from '@orderstream/system';
import { parse } from 'yaml';
import { renderCompose } from './generate-compose';

const COMMITTED = readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'docker-compose.yml'), 'utf8');

describe('docker-compose.yml is generated from the system manifest', () => {
  it('the committed file is exactly what `npm run compose:generate` writes', () => {
    // On failure: run `npm run compose:generate` and commit the result (never edit the file by hand).
    expect(COMMITTED).toBe(renderCompose());
  });

  it('a service added to the manifest gets its compose service, and its database is created', () => {
    const base = SYSTEM.services[0]!;
    const extended: SystemManifest = {
      services: [
        ...SYSTEM.services,
        {
          ...base,
          name: 'compose-probe',
          port: 3009,
          database: 'compose_probe',
          image: 'orderstream-compose-probe',
          topics: [],
          consumerGroups: [],
        },
      ],
    };
    const compose = parse(renderCompose(extended), { merge: true }) as {
      services: Record<
        string,
        {
          image?: string;
          build?: { args?: Record<string, string> };
          ports?: string[];
          environment?: Record<string, string>;
        }
      >;
    };
    expect(compose.services['compose-probe']).toMatchObject({
      image: 'orderstream-compose-probe',
      build: { args: { SERVICE: 'compose-probe' } },
      ports: ['3009:3009'],
      environment: {
        PORT: '3009',
        DATABASE_URL: 'postgres://orderstream:orderstream@postgres:5432/compose_probe',
      },
    });
    // The saga's databases first, the added one last, and any generated service's between them.
    expect(compose.services['postgres']?.environment?.['ORDERSTREAM_DATABASES']).toMatch(
      /^orders payments inventory( [a-z0-9_]+)* compose_probe$/,
    );
    expect(compose.services['outbox-relay']?.environment?.['OUTBOX_SOURCES']).toContain(
      'compose-probe=postgres://orderstream:orderstream@postgres:5432/compose_probe',
    );
  });
});
