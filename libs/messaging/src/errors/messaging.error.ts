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

/**
 * A transactional producer was fenced: another producer initialised the same transactional id (a newer
 * owner of the work) and bumped its epoch. Nothing this producer had not committed becomes visible, and it
 * can never commit again; retrying with it cannot help. Whoever owns the work now carries on.
 */
export class ProducerFencedError extends MessagingError {
  readonly code = 'MESSAGING_PRODUCER_FENCED';
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

export interface ApplicationErrorOptions extends HandlerErrorOptions {
  /**
   * Facts about the failure for whoever handles it (`{ orderId, orderStatus }`): extension members of an
   * HTTP problem, fields of a log line. Plain JSON values; they may reach a client, so no secrets.
   */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * A failure of the application's own that no retry can fix: the input breaks a rule, names something that
 * does not exist, meets an aggregate in a state that does not allow it, or a broken invariant shows a bug
 * or bad data. Never retriable: a message that fails with one is dead-lettered on its first attempt, and
 * an HTTP request gets the 4xx of its class (`@orderstream/platform` maps each class once). The specific
 * classes are in application.error.ts; `code` defaults to the class's own, and a use case may refine it
 * (`ORDER_NOT_FOUND` for a `NotFoundError`): a refined code must be just as stable, it names a problem type.
 */
export abstract class ApplicationError extends MessagingError {
  readonly code: string;
  readonly retriable = false;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, defaultCode: string, options: ApplicationErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? defaultCode;
    this.details = options.details;
  }
}

/**
 * Thrown by application handlers for a failure no retry can fix when none of the specific application
 * errors fits (application.error.ts: validation, not found, illegal state, conflict, invariant violated):
 * the message goes to the dead-letter topic at once.
 */
export class NonRetriableError extends ApplicationError {
  constructor(message: string, options: ApplicationErrorOptions = {}) {
    super(message, 'HANDLER_NON_RETRIABLE', options);
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
