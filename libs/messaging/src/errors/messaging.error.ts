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

export interface HandlerErrorOptions {
  cause?: unknown;
  /** A stable code of the application's own (e.g. `PAYMENT_GATEWAY_DOWN`); it travels in failure headers. */
  code?: string;
}

/**
 * Thrown by application handlers for a failure worth another try (a dependency is down, a row is locked):
 * the message goes through immediate retries and retry topics before it is dead-lettered.
 */
export class HandlerError extends MessagingError {
  readonly code: string;
  readonly retriable = true;

  constructor(message: string, options: HandlerErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'HANDLER_FAILED';
  }
}

/**
 * Thrown by application handlers for a failure no retry can fix (the event breaks a business rule, refers
 * to something that will never exist): the message goes to the dead-letter topic at once.
 */
export class NonRetriableError extends MessagingError {
  readonly code: string;
  readonly retriable = false;

  constructor(message: string, options: HandlerErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'HANDLER_NON_RETRIABLE';
  }
}

/** The code recorded for a failure that carries none. */
export const UNCLASSIFIED_ERROR_CODE = 'UNCLASSIFIED';

/**
 * Whether a failure is worth another try. A `MessagingError` says so itself; any other error with a
 * boolean `retriable` (kafkajs's errors have one) is taken at its word. Everything else counts as
 * retriable: an unknown error is more often transient (a timeout, a reset connection, a lock) than
 * permanent, and the retry budget is bounded, so a permanent one only costs the configured delays before
 * it reaches the dead-letter topic, whereas dead-lettering a transient one would need a manual replay.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof MessagingError) return error.retriable;
  const retriable = (error as { retriable?: unknown } | null | undefined)?.retriable;
  return typeof retriable === 'boolean' ? retriable : true;
}

/**
 * The stable code of a failure: a `MessagingError`'s `code`, else a string `code` the error carries
 * (Node's `ECONNRESET`, PostgreSQL's SQLSTATE), else `UNCLASSIFIED`.
 */
export function errorCode(error: unknown): string {
  if (error instanceof MessagingError) return error.code;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.length > 0 ? code : UNCLASSIFIED_ERROR_CODE;
}
