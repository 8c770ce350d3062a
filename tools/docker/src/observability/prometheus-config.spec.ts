// The compose Prometheus: it scrapes exactly the compose services that serve /metrics, by their compose
// names and ports, evaluates the alert rules compose mounts next to its configuration, and promtool (with
// Prometheus's own parser) accepts the configuration and the rules it names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { itWithPromtool, promtool } from './promtool';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const CONFIG = 'ops/prometheus/prometheus.yml';

interface ComposeService {
  build?: unknown;
  volumes?: string[];
  environment?: Record<string, string>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const config = parse(read(CONFIG)) as {
  rule_files: string[];
  scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
};

/** The compose services built from the Dockerfile: the apps, each of which serves /metrics. */
const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

it('every service compose builds serves /metrics (through the platform module)', () => {
  expect(built.length).toBeGreaterThan(0);
  for (const [name] of built)
    expect({ name, platform: read(`apps/${name}/src/app.module.ts`).includes('PlatformModule') }).toEqual({
      name,
      platform: true,
    });
});

it('scrapes exactly the services compose builds, each by its compose name and PORT, one job each', () => {
  const scraped = config.scrape_configs.map((job) => ({
    job: job.job_name,
    path: job.metrics_path ?? '/metrics',
    targets: job.static_configs.flatMap((c) => c.targets),
  }));
  const expected = built.map(([name, s]) => ({
    job: name,
    path: '/metrics',
    targets: [`${name}:${s.environment?.['PORT']}`],
  }));
  expect(scraped.sort((a, b) => a.job.localeCompare(b.job))).toEqual(
    expected.sort((a, b) => a.job.localeCompare(b.job)),
  );
});

it('names the alert rules, and compose mounts them next to the configuration that names them', () => {
  expect(config.rule_files).toEqual(['alerts.yml']);
  const mounts = (compose.services['prometheus']?.volumes ?? []).map((v) => v.split(':'));
  expect(mounts).toEqual(
    expect.arrayContaining([
      [`./${CONFIG}`, '/etc/prometheus/prometheus.yml', 'ro'],
      ['./ops/prometheus/alerts.yml', '/etc/prometheus/alerts.yml', 'ro'],
    ]),
  );
});

itWithPromtool('promtool check config accepts it and the alert rules it names', () => {
  // rule_files is relative to the configuration, which sits next to alerts.yml here as in the container.
  const result = promtool('check', 'config', path.join(ROOT, CONFIG));
  expect({ ok: result.ok, output: result.ok ? '' : result.output }).toEqual({ ok: true, output: '' });
  expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
});
