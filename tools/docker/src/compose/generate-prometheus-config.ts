/**
 * ops/prometheus/prometheus.yml from the system manifest: the compose Prometheus scrapes every service of
 * the manifest (each serves /metrics on its HTTP port) by its compose service name, and evaluates the
 * alert rules next to it. Written together with docker-compose.yml by `npm run compose:generate`, from the
 * same service list, so a service added to the manifest is scraped without anyone remembering to.
 */
import { SYSTEM, type SystemManifest } from '@orderstream/system';

/**
 * How often Prometheus scrapes and evaluates the rules. Grafana's datasource states the same (its
 * `timeInterval`) so that `$__rate_interval` always spans enough scrapes; a test checks the two agree.
 */
export const SCRAPE_INTERVAL = '15s';

export function renderPrometheusConfig(system: SystemManifest = SYSTEM): string {
  const jobs = system.services.map(
    (s) => `  - job_name: ${s.name}
    static_configs:
      - targets: ['${s.name}:${s.port}']
`,
  );
  return `# Prometheus for docker compose (see docs/docker.md): scrapes each service's /metrics and evaluates the
# alert rules (alerts.yml, tested by alerts.test.yml).
#
# GENERATED from the system manifest (libs/system/src/system.manifest.ts) by \`npm run compose:generate\`,
# with docker-compose.yml; do not edit by hand (tools/docker/src/compose/compose.generate.spec.ts compares).
#
# One job per service, named after it; the target is its compose service name and manifest port. Every
# series also carries the service's own \`service\` label (libs/platform's metrics registry).
global:
  scrape_interval: ${SCRAPE_INTERVAL}
  evaluation_interval: ${SCRAPE_INTERVAL}

# Relative to this file: compose mounts both files into /etc/prometheus, and \`promtool check config\`
# finds the rules next to it in the repository too.
rule_files:
  - alerts.yml

scrape_configs:
${jobs.join('')}`;
}
