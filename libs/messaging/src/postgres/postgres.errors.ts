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
