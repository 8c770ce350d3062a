/**
 * A dead-lettered record as an operator sees it: where it sits, why it failed (the headers of
 * failure/failure-headers.ts), which event it is, and how often it was redriven already.
 */
import { HEADERS } from '../core/envelope';
import { DEAD_LETTER_HEADERS, ORIGINAL_HEADERS, type DeadLetterReason } from '../failure/failure-headers';
import type { ConsumedRecord } from '../ports/kafka-client.port';

/** Headers a redrive adds; they are not failure headers, so they survive the record's next failure. */
export const REDRIVE_HEADERS = {
  /** How many times the message was redriven from a dead-letter topic (1 after the first redrive). */
  count: 'x-redrive-count',
  /** When the last redrive happened (epoch ms). */
  at: 'x-redriven-at',
  /** The redrive job that sent it (see the ops tooling). */
  job: 'x-redrive-job',
  /** The dead-letter record it was redriven from: `<topic>:<partition>:<offset>`. */
  from: 'x-redriven-from',
} as const;

/** Headers on a record moved to a group's quarantine topic instead of being redriven again. */
export const QUARANTINE_HEADERS = {
  at: 'x-quarantined-at',
  reason: 'x-quarantine-reason',
} as const;

/** `<group>.quarantine`: where messages go that reached the redrive cap; nothing consumes it. */
export const quarantineTopicName = (groupId: string): string => `${groupId}.quarantine`;

const DLT_SUFFIX = '.dlt';

/** The group whose dead-letter topic this is, or undefined for any other topic. */
export function groupOfDeadLetterTopic(topic: string): string | undefined {
  return topic.endsWith(DLT_SUFFIX) && topic.length > DLT_SUFFIX.length
    ? topic.slice(0, -DLT_SUFFIX.length)
    : undefined;
}

export interface DeadLetterMessage {
  /** `<topic>:<partition>:<offset>`: stable, and what `show` and a selective redrive take. */
  id: string;
  topic: string;
  partition: number;
  offset: string;
  /** The group that failed it (from the header; the topic name otherwise). */
  groupId: string;
  key: string | null;
  /** `ce_id`, `ce_type` when the record carries them (undecodable bytes may not). */
  eventId?: string;
  eventType?: string;
  reason?: DeadLetterReason | string;
  errorCode?: string;
  errorClass?: string;
  errorMessage?: string;
  attempts?: number;
  original: { topic?: string; partition?: number; offset?: string; timestamp?: number };
  firstFailureAt?: number;
  lastFailureAt?: number;
  /** When it was written to the dead-letter topic (the record's timestamp). */
  deadLetteredAt: number;
  /** How often it was redriven before it failed this time; 0 for a first failure. */
  redriveCount: number;
  valueBytes: number;
}

const text = (record: ConsumedRecord, name: string): string | undefined =>
  record.headers[name]?.toString('utf8');

function integer(record: ConsumedRecord, name: string): number | undefined {
  const value = text(record, name);
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

export const deadLetterId = (topic: string, partition: number, offset: string): string =>
  `${topic}:${partition}:${offset}`;

/** Splits `<topic>:<partition>:<offset>`; undefined when it is not one. */
export function parseDeadLetterId(
  id: string,
): { topic: string; partition: number; offset: string } | undefined {
  const match = /^(.+):(\d+):(\d+)$/.exec(id);
  if (!match) return undefined;
  return { topic: match[1] ?? '', partition: Number(match[2]), offset: match[3] ?? '' };
}

export function parseDeadLetter(record: ConsumedRecord): DeadLetterMessage {
  const groupId =
    text(record, DEAD_LETTER_HEADERS.consumerGroup) ?? groupOfDeadLetterTopic(record.topic) ?? record.topic;
  return {
    id: deadLetterId(record.topic, record.partition, record.offset),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    groupId,
    key: record.key === null ? null : record.key.toString('utf8'),
    eventId: text(record, HEADERS.id),
    eventType: text(record, HEADERS.type),
    reason: text(record, DEAD_LETTER_HEADERS.reason),
    errorCode: text(record, DEAD_LETTER_HEADERS.errorCode),
    errorClass: text(record, DEAD_LETTER_HEADERS.errorClass),
    errorMessage: text(record, DEAD_LETTER_HEADERS.errorMessage),
    attempts: integer(record, DEAD_LETTER_HEADERS.attempts),
    original: {
      topic: text(record, ORIGINAL_HEADERS.topic),
      partition: integer(record, ORIGINAL_HEADERS.partition),
      offset: text(record, ORIGINAL_HEADERS.offset),
      timestamp: integer(record, ORIGINAL_HEADERS.timestamp),
    },
    firstFailureAt: integer(record, DEAD_LETTER_HEADERS.firstFailureAt),
    lastFailureAt: integer(record, DEAD_LETTER_HEADERS.lastFailureAt),
    deadLetteredAt: Number(record.timestamp),
    redriveCount: integer(record, REDRIVE_HEADERS.count) ?? 0,
    valueBytes: record.value?.length ?? 0,
  };
}

/** What a list, a redrive or a purge selects; every given field must match. */
export interface DeadLetterFilter {
  /** Message ids (`<topic>:<partition>:<offset>`). */
  ids?: readonly string[];
  errorCode?: string;
  eventType?: string;
  reason?: string;
  /** `ce_id`s. */
  eventIds?: readonly string[];
}

export function matchesFilter(message: DeadLetterMessage, filter: DeadLetterFilter = {}): boolean {
  return (
    (filter.ids === undefined || filter.ids.includes(message.id)) &&
    (filter.errorCode === undefined || message.errorCode === filter.errorCode) &&
    (filter.eventType === undefined || message.eventType === filter.eventType) &&
    (filter.reason === undefined || message.reason === filter.reason) &&
    (filter.eventIds === undefined ||
      (message.eventId !== undefined && filter.eventIds.includes(message.eventId)))
  );
}
