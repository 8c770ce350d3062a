/**
 * `npm run compose:generate`: writes docker-compose.yml and the Prometheus configuration that scrapes its
 * services (ops/prometheus/prometheus.yml) from the system manifest. `--check` writes nothing and exits 1
 * when a committed file differs (what the test checks, for a shell).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCompose } from './generate-compose';
import { renderPrometheusConfig } from './generate-prometheus-config';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const outputs = [
  { file: path.join(root, 'docker-compose.yml'), rendered: renderCompose() },
  { file: path.join(root, 'ops', 'prometheus', 'prometheus.yml'), rendered: renderPrometheusConfig() },
];
if (process.argv.includes('--check')) {
  let stale = false;
  for (const { file, rendered } of outputs) {
    const name = path.relative(root, file);
    if (readFileSync(file, 'utf8') !== rendered) {
      console.error(`${name} differs from the system manifest: run \`npm run compose:generate\``);
      stale = true;
    } else {
      console.log(`${name} matches the system manifest`);
    }
  }
  if (stale) process.exit(1);
} else {
  for (const { file, rendered } of outputs) {
    writeFileSync(file, rendered);
    console.log(`wrote ${path.relative(process.cwd(), file) || file}`);
  }
}
