import { randomBytes } from 'node:crypto';

/**
 * A name no other test (or earlier run) uses: `<prefix>-<8 hex chars>`. Topics, consumer groups and
 * databases all get one, so tests never share state and can run in any order.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The same, shaped for PostgreSQL identifiers (lower case, underscores). */
export function uniqueIdentifier(prefix: string): string {
  return uniqueName(prefix)
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase();
}
