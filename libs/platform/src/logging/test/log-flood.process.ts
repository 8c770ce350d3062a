/**
 * A process for non-blocking.destination.int.spec.ts: logs far more than a pipe holds through the service
 * logger, says so on stderr (which the test reads), then exits the way the graceful-shutdown timeout does,
 * with `process.exit`. With a destination that waits for its reader, it would never get that far or never
 * finish exiting while nobody reads its stdout.
 */
import { writeSync } from 'node:fs';
import { createServiceLogger } from '../service-logger';

const LINES = 20_000;
const logger = createServiceLogger({ service: 'log-flood', level: 'info' });
const padding = 'x'.repeat(1_000);
for (let n = 0; n < LINES; n++) logger.info({ n, padding }, 'flood');
writeSync(2, `logged ${LINES} lines\n`);
logger.info('exiting');
process.exit(0);
