/**
 * `npm run compose:generate`: writes docker-compose.yml from the system manifest. `--check` writes nothing
 * and exits 1 when the committed file differs (what the test checks, for a shell).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCompose } from './generate-compose';

const file = path.resolve(__dirname, '..', '..', '..', '..', 'docker-compose.yml');
const rendered = renderCompose();
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== rendered) {
    console.error('docker-compose.yml differs from the system manifest: run `npm run compose:generate`');
    process.exit(1);
  }
  console.log('docker-compose.yml matches the system manifest');
} else {
  writeFileSync(file, rendered);
  console.log(`wrote ${path.relative(process.cwd(), file) || file}`);
}
