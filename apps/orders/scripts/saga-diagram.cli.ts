/**
 * `npm run saga:diagram`: writes the orchestrated sagas' diagrams (generated from their definitions) into
 * docs/saga.md between their markers. A test (order-saga.diagrams.spec.ts) fails while the page is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { embedSagaDiagrams, orderSagaDiagrams } from '../src/order-saga/order-saga.diagrams';

const page = resolve(__dirname, '..', '..', '..', 'docs', 'saga.md');
const before = readFileSync(page, 'utf8');
const after = embedSagaDiagrams(before, orderSagaDiagrams());
if (after === before) {
  process.stdout.write('docs/saga.md: the saga diagrams are up to date\n');
} else {
  writeFileSync(page, after);
  process.stdout.write('docs/saga.md: the saga diagrams were regenerated\n');
}
