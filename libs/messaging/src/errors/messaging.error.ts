/**
 * The messaging error hierarchy. Every error has a stable `code` (it travels in dead-letter headers)
 * and a `retriable` flag that the failure-handling middleware uses to decide between retry and dead letter.
 */
export abstract class MessagingError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes that cannot be decoded into an event: retrying will never help. */
export class DecodeError extends MessagingError {
  readonly code = 'MESSAGING_DECODE';
  readonly retriable = false;
}

/** A payload that does not fit its schema, or a schema the registry refuses. */
export class SchemaError extends MessagingError {
  readonly code = 'MESSAGING_SCHEMA';
  readonly retriable = false;
}

/** The broker or registry could not be reached or refused the request for a transient reason. */
export class TransportError extends MessagingError {
  readonly code = 'MESSAGING_TRANSPORT';
  readonly retriable = true;
}
