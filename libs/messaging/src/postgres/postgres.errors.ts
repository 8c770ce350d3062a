import { MessagingError } from '../errors/messaging.error';

/**
 * The outbox was used in a way that would break its guarantee (no surrounding transaction, a record without
 * an id or a key). A programming error: retrying the same call cannot succeed.
 */
export class OutboxError extends MessagingError {
  readonly code = 'MESSAGING_OUTBOX';
  readonly retriable = false;
}

/** A handler asked for the effectively-once transaction but does not run under that guarantee. */
export class MissingTransactionError extends MessagingError {
  readonly code = 'MESSAGING_MISSING_TRANSACTION';
  readonly retriable = false;
}

/** What PostgreSQL said about a failed statement (the server's error fields, not the query or its values). */
export interface PostgresErrorFields {
  /** The SQLSTATE, e.g. `22P02` (invalid text representation) or `23505` (unique violation). */
  sqlState: string;
  constraint?: string;
  table?: string;
  column?: string;
  /** The server's DETAIL line, e.g. `Key (order_id)=(…) already exists.` */
  detail?: string;
}

/**
 * A statement that PostgreSQL refused, with a stable code `POSTGRES_<SQLSTATE>` for the failure headers and
 * metrics. `retriable` is decided by `classifyPostgresError`: a data exception or an integrity constraint
 * violation fails the same way on every attempt; a serialization failure or a deadlock may not.
 */
export class PostgresError extends MessagingError {
  readonly code: string;
  readonly sqlState: string;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly detail: string | undefined;

  constructor(
    message: string,
    fields: PostgresErrorFields,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = `POSTGRES_${fields.sqlState}`;
    this.sqlState = fields.sqlState;
    this.constraint = fields.constraint;
    this.table = fields.table;
    this.column = fields.column;
    this.detail = fields.detail;
  }
}
