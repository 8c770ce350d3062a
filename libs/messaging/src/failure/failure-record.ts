/**
 * Pure functions that turn a failed record into the record written to a retry topic or the dead-letter
 * topic: the original key, value and headers, plus the failure headers of failure-headers.ts.
 */
import { errorCode } from '../errors/messaging.error';
import type { ConsumedRecord, Headers, OutgoingRecord } from '../ports/kafka-client.port';
import {
  DEAD_LETTER_HEADERS,
  FAILURE_HEADER_NAMES,
  ORIGINAL_HEADERS,
  RETRY_HEADERS,
  type DeadLetterReason,
} from './failure-headers';

/** Default bounds: headers are part of every fetch of the record, so a 50 KB stack must not ride along. */
export const DEFAULT_MAX_STACK_BYTES = 2_048;
export const DEFAULT_MAX_MESSAGE_BYTES = 1_024;

export interface DescribedError {
  code: string;
  className: string;
  message: string;
  stack: string;
}

/**
 * Cuts a string to at most `maxBytes` of UTF-8 without splitting a character (`encodeInto` writes only
 * whole characters and says how many UTF-16 units it read).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

export function describeError(
  error: unknown,
  bounds: { maxMessageBytes: number; maxStackBytes: number },
): DescribedError {
  if (error instanceof Error) {
    return {
      code: errorCode(error),
      className: error.constructor.name,
      message: truncateUtf8(error.message, bounds.maxMessageBytes),
      stack: truncateUtf8(error.stack ?? '', bounds.maxStackBytes),
    };
  }
  // Someone threw a string or an object: keep what it says, there is no class or stack to report.
  return {
    code: errorCode(error),
    className: typeof error,
    message: truncateUtf8(String(error), bounds.maxMessageBytes),
    stack: '',
  };
}

/** Where a record came from before any retry topic, and when it first failed. */
export interface FailureOrigin {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  firstFailureAt: number;
}

const header = (record: ConsumedRecord, name: string): string | undefined => record.headers[name]?.toString();

function integerHeader(record: ConsumedRecord, name: string): number | undefined {
  const text = header(record, name);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `x-retry-due-at` of a retry-topic record, if present and well formed. */
export const dueAtOf = (record: ConsumedRecord): number | undefined =>
  integerHeader(record, RETRY_HEADERS.dueAt);

/** `x-attempt` of a retry-topic record, if present and well formed. */
export const attemptOf = (record: ConsumedRecord): number | undefined => {
  const attempt = integerHeader(record, RETRY_HEADERS.attempt);
  return attempt !== undefined && attempt >= 1 ? attempt : undefined;
};

/**
 * The origin of a failed record. A record from a source topic is its own origin; one from a retry topic
 * carries its origin in headers (falling back to itself if they were stripped on the way).
 */
export function failureOrigin(
  record: ConsumedRecord,
  fromRetryTopic: boolean,
  failedAt: number,
): FailureOrigin {
  if (!fromRetryTopic) {
    return {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      firstFailureAt: failedAt,
    };
  }
  return {
    topic: header(record, ORIGINAL_HEADERS.topic) ?? record.topic,
    partition: integerHeader(record, ORIGINAL_HEADERS.partition) ?? record.partition,
    offset: header(record, ORIGINAL_HEADERS.offset) ?? record.offset,
    timestamp: header(record, ORIGINAL_HEADERS.timestamp) ?? record.timestamp,
    firstFailureAt: integerHeader(record, RETRY_HEADERS.firstFailureAt) ?? failedAt,
  };
}

/** The record's headers as the application wrote them: without any failure header and without gaps. */
export function originalHeaders(record: ConsumedRecord): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined && !FAILURE_HEADER_NAMES.has(name)) headers[name] = value;
  }
  return headers;
}

function originHeaders(origin: FailureOrigin): Headers {
  return {
    [ORIGINAL_HEADERS.topic]: origin.topic,
    [ORIGINAL_HEADERS.partition]: String(origin.partition),
    [ORIGINAL_HEADERS.offset]: origin.offset,
    [ORIGINAL_HEADERS.timestamp]: origin.timestamp,
  };
}

export interface Failure {
  record: ConsumedRecord;
  origin: FailureOrigin;
  error: DescribedError;
  /** The attempt that failed (1 for the first delivery). */
  attempt: number;
  failedAt: number;
}

/** The record for the next retry topic; it will be delivered as attempt `failure.attempt + 1`. */
export function retryRecord(failure: Failure, dueAt: number): OutgoingRecord {
  return {
    key: failure.record.key,
    value: failure.record.value,
    headers: {
      ...originalHeaders(failure.record),
      ...originHeaders(failure.origin),
      [RETRY_HEADERS.attempt]: String(failure.attempt + 1),
      [RETRY_HEADERS.dueAt]: String(dueAt),
      [RETRY_HEADERS.firstFailureAt]: String(failure.origin.firstFailureAt),
      [RETRY_HEADERS.lastFailureAt]: String(failure.failedAt),
      [RETRY_HEADERS.errorCode]: failure.error.code,
      [RETRY_HEADERS.errorClass]: failure.error.className,
      [RETRY_HEADERS.errorMessage]: failure.error.message,
    },
  };
}

/** The record for the group's dead-letter topic. */
export function deadLetterRecord(
  failure: Failure,
  groupId: string,
  reason: DeadLetterReason,
): OutgoingRecord {
  return {
    key: failure.record.key,
    value: failure.record.value,
    headers: {
      ...originalHeaders(failure.record),
      ...originHeaders(failure.origin),
      [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.errorCode]: failure.error.code,
      [DEAD_LETTER_HEADERS.errorClass]: failure.error.className,
      [DEAD_LETTER_HEADERS.errorMessage]: failure.error.message,
      [DEAD_LETTER_HEADERS.errorStack]: failure.error.stack,
      [DEAD_LETTER_HEADERS.attempts]: String(failure.attempt),
      [DEAD_LETTER_HEADERS.firstFailureAt]: String(failure.origin.firstFailureAt),
      [DEAD_LETTER_HEADERS.lastFailureAt]: String(failure.failedAt),
    },
  };
}
