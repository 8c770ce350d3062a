/**
 * Which PostgreSQL failures are worth another try. The failure layers retry anything that does not say
 * otherwise, and a TypeORM `QueryFailedError` says nothing, so without this a handler whose SQL meets bad
 * data (an order id that is not a UUID: 22P02) went round every retry topic before the dead-letter topic,
 * failing the same way each time.
 *
 * The SQLSTATE decides (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * - class 22, data exception (invalid text representation, numeric out of range, string too long, …), and
 *   class 23, integrity constraint violation (unique, foreign key, not null, check, exclusion), are
 *   deterministic: the same statement with the same data fails again. Not retriable.
 * - everything else stays retriable, in particular 40001 (serialization failure) and 40P01 (deadlock
 *   detected), which the server itself tells clients to retry; 55P03 (lock not available), 57014 (statement
 *   timeout), 57P01 (admin shutdown), class 08 (connection exception) and 53 (insufficient resources).
 *   Connection errors without a SQLSTATE (ECONNREFUSED) are left as they are: retriable.
 *
 * Violations the code expects never get here: the inbox claims a message with ON CONFLICT DO NOTHING, and
 * orders' Idempotency-Key with the same. A use case whose plain INSERT a concurrent transaction can beat
 * (the row did not exist when it looked; a retry sees it and decides differently) catches that violation
 * itself (`isUniqueViolation`) and throws a retriable `HandlerError`, as payments' authorization and
 * inventory's reservation do. `retriableSqlStates` retries a SQLSTATE everywhere, for all of a consumer.
 */
import { MessagingError } from '../errors/messaging.error';
import { PostgresError, type PostgresErrorFields } from './postgres.errors';

/** The SQLSTATE classes no retry can fix: 22 data exception, 23 integrity constraint violation. */
export const DETERMINISTIC_SQLSTATE_CLASSES: readonly string[] = ['22', '23'];

export interface PostgresErrorClassifierOptions {
  /** SQLSTATEs of classes 22/23 to retry anyway, e.g. `['23505']` for an insert race a retry resolves. */
  retriableSqlStates?: readonly string[];
}

// Five characters of digits and upper-case letters (SQL standard). Node's own codes are longer (ECONNRESET)
// or come without the server's `severity`, which is how a server error is told from `EPIPE`.
const SQLSTATE = /^[0-9A-Z]{5}$/;

interface ServerErrorShape {
  code?: unknown;
  severity?: unknown;
  message?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  detail?: unknown;
}

/**
 * The server error behind `error`: pg's `DatabaseError` itself, or the one a TypeORM `QueryFailedError`
 * carries as `driverError`. `undefined` for anything else (a connection refused, a bug, our own errors).
 */
export function postgresErrorFieldsOf(error: unknown): PostgresErrorFields | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const driverError = (error as { driverError?: unknown }).driverError;
  const server = (driverError && typeof driverError === 'object' ? driverError : error) as ServerErrorShape;
  const { code, severity } = server;
  if (typeof code !== 'string' || !SQLSTATE.test(code) || typeof severity !== 'string') return undefined;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const fields: PostgresErrorFields = { sqlState: code };
  const constraint = text(server.constraint);
  const table = text(server.table);
  const column = text(server.column);
  const detail = text(server.detail);
  if (constraint !== undefined) fields.constraint = constraint;
  if (table !== undefined) fields.table = table;
  if (column !== undefined) fields.column = column;
  if (detail !== undefined) fields.detail = detail;
  return fields;
}

/** Whether a SQLSTATE fails the same way on every attempt (class 22 or 23, unless listed as retriable). */
export function isDeterministicSqlState(
  sqlState: string,
  options: PostgresErrorClassifierOptions = {},
): boolean {
  return (
    DETERMINISTIC_SQLSTATE_CLASSES.includes(sqlState.slice(0, 2)) &&
    !options.retriableSqlStates?.includes(sqlState)
  );
}

/**
 * A PostgreSQL failure as a `PostgresError` (code `POSTGRES_<SQLSTATE>`, `retriable` by the rules above,
 * the original as `cause`); anything else, our own `MessagingError`s included, is returned unchanged.
 * Use it where a transaction around application SQL ends: `throw classifyPostgresError(error)`.
 */
export function classifyPostgresError(error: unknown, options: PostgresErrorClassifierOptions = {}): unknown {
  if (error instanceof MessagingError) return error;
  const fields = postgresErrorFieldsOf(error);
  if (!fields) return error;
  const message = error instanceof Error ? error.message : `PostgreSQL error ${fields.sqlState}`;
  return new PostgresError(message, fields, !isDeterministicSqlState(fields.sqlState, options), {
    cause: error,
  });
}

/** SQLSTATE 23505. */
export const UNIQUE_VIOLATION = '23505';

/**
 * Whether `error` is PostgreSQL's unique violation (23505), on `constraint` when one is named. For the
 * INSERT that a concurrent transaction can beat, which its caller turns into a retriable error.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const fields = postgresErrorFieldsOf(error);
  return (
    fields?.sqlState === UNIQUE_VIOLATION && (constraint === undefined || fields.constraint === constraint)
  );
}
