/**
 * The headers the failure-handling middleware adds, as a reference (see docs/messaging.md). All values are
 * UTF-8 strings; times are epoch milliseconds, like Kafka's own timestamps.
 *
 * A record on a retry topic or the dead-letter topic keeps the original key, value and headers of the
 * record that failed; these headers are added on top. Before adding them, any of them already present are
 * dropped, so a dead-lettered record that is replayed and fails again describes its latest failure only.
 */

/** Where the failed record was first consumed. Present on retry-topic and dead-letter records alike. */
export const ORIGINAL_HEADERS = {
  /** The source topic (never a retry topic). */
  topic: 'x-original-topic',
  partition: 'x-original-partition',
  offset: 'x-original-offset',
  /** The source record's Kafka timestamp. */
  timestamp: 'x-original-timestamp',
} as const;

/** On retry-topic records: what the next delivery needs and what the last one saw. */
export const RETRY_HEADERS = {
  /** The attempt number the delivery from this retry topic is (the first delivery is attempt 1). */
  attempt: 'x-attempt',
  /** Not to be handled before this time; the consumer pauses the retry partition until then. */
  dueAt: 'x-retry-due-at',
  firstFailureAt: 'x-first-failure-at',
  lastFailureAt: 'x-last-failure-at',
  errorCode: 'x-error-code',
  errorClass: 'x-error-class',
  /** The error message, truncated to the configured bound. */
  errorMessage: 'x-error-message',
} as const;

/** On dead-letter records: why the message gave up, with everything needed to inspect and replay it. */
export const DEAD_LETTER_HEADERS = {
  consumerGroup: 'x-dlt-consumer-group',
  /** `non-retriable` (including undecodable input) or `retries-exhausted`. */
  reason: 'x-dlt-reason',
  errorCode: 'x-dlt-error-code',
  errorClass: 'x-dlt-error-class',
  /** The error message, truncated to the configured bound. */
  errorMessage: 'x-dlt-error-message',
  /** The stack trace, truncated to the configured bound (2 KiB by default). */
  errorStack: 'x-dlt-error-stack',
  /** How many deliveries were tried (each made up of up to `immediate.attempts` handler calls). */
  attempts: 'x-dlt-attempts',
  firstFailureAt: 'x-dlt-first-failure-at',
  lastFailureAt: 'x-dlt-last-failure-at',
} as const;

export type DeadLetterReason = 'non-retriable' | 'retries-exhausted';

/** Every header name the failure handling owns; stripped to recover a record's original headers. */
export const FAILURE_HEADER_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(ORIGINAL_HEADERS),
  ...Object.values(RETRY_HEADERS),
  ...Object.values(DEAD_LETTER_HEADERS),
]);
