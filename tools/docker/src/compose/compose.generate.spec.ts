import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM, type SystemManifest } from '@orderstream/system';
import { parse } from 'yaml';
import { renderCompose } from './generate-compose';
import { renderPrometheusConfig } from './generate-prometheus-config';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const COMMITTED = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const COMMITTED_PROMETHEUS = readFileSync(path.join(ROOT, 'ops', 'prometheus', 'prometheus.yml'), 'utf8');

describe('docker-compose.yml is generated from the system manifest', () => {
  it('the committed file is exactly what `npm run compose:generate` writes', () => {
    // On failure: run `npm run compose:generate` and commit the result (never edit the file by hand).
    expect(COMMITTED).toBe(renderCompose());
  });

  it('so is ops/prometheus/prometheus.yml, which scrapes its services', () => {
    expect(COMMITTED_PROMETHEUS).toBe(renderPrometheusConfig());
  });

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

  it('a service added to the manifest gets its compose service, and its database is created', () => {
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

  it('and Prometheus scrapes it, by its compose name and port', () => {
    const config = parse(renderPrometheusConfig(extended)) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.scrape_configs.find((job) => job.job_name === 'compose-probe')).toEqual({
      job_name: 'compose-probe',
      static_configs: [{ targets: ['compose-probe:3009'] }],
    });
  });
});
