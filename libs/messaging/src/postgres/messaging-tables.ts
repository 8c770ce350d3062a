/**
 * Where the messaging tables live. They sit in the service's own database, next to its business tables, so
 * that a handler's writes, its inbox row and its outbox rows commit in one local transaction.
 */

export interface MessagingTableNames {
  /** Events waiting to be published by the relay. Default `messaging_outbox`. */
  outbox: string;
  /** Messages already handled, per consumer group. Default `messaging_inbox`. */
  inbox: string;
}

export const DEFAULT_MESSAGING_TABLES: Readonly<MessagingTableNames> = Object.freeze({
  outbox: 'messaging_outbox',
  inbox: 'messaging_inbox',
});

// Lower-case only: PostgreSQL folds unquoted identifiers to lower case, so a mixed-case name would need
// quoting everywhere a person types it in psql. Optionally schema-qualified (`schema.table`).
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A table name as it goes into SQL. Table names cannot be bound as parameters, so they are validated
 * against a strict pattern (never escaped ad hoc) and then quoted.
 */
export function quoteTableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new RangeError(
      `Invalid table name "${name}": expected a lower-case identifier, optionally schema-qualified (schema.table)`,
    );
  }
  return parts.map((part) => `"${part}"`).join('.');
}

/** The table name without its schema, to derive index and constraint names from (they live in its schema). */
export function bareTableName(name: string): string {
  quoteTableName(name);
  return name.slice(name.lastIndexOf('.') + 1);
}

export function resolveTableNames(tables: Partial<MessagingTableNames> = {}): MessagingTableNames {
  const resolved = { ...DEFAULT_MESSAGING_TABLES, ...tables };
  quoteTableName(resolved.outbox);
  quoteTableName(resolved.inbox);
  return resolved;
}
