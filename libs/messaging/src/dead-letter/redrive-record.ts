/**
 * Pure: what a redrive writes for one dead-lettered record.
 *
 * A redrive goes to the failing group's first retry topic, never to the source topic: every other group
 * reading the source topic has handled the message already and must not see it again, and only the failing
 * group consumes `<group>.retry.1`. The record is due at once, keeps its key, value and application
 * headers (`ce_id` included, so the group's inbox still refuses a second copy), carries its origin and its
 * last failure on as a retry record would, and counts the redrive. If it fails again it walks the rest of
 * the group's retry path and, in the end, lands in the dead-letter topic again with its count.
 */
import { DEAD_LETTER_HEADERS, ORIGINAL_HEADERS, RETRY_HEADERS } from '../failure/failure-headers';
import { originalHeaders } from '../failure/failure-record';
import type { ConsumedRecord, Headers, OutgoingRecord } from '../ports/kafka-client.port';
import { QUARANTINE_HEADERS, REDRIVE_HEADERS, type DeadLetterMessage } from './dead-letter-message';

const copy = (record: ConsumedRecord, names: readonly string[]): Headers => {
  const headers: Headers = {};
  for (const name of names) {
    const value = record.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
};

export interface RedriveStamp {
  jobId: string;
  now: number;
}

/** The record for `<group>.retry.1`. */
export function redriveRecord(
  record: ConsumedRecord,
  message: DeadLetterMessage,
  stamp: RedriveStamp,
): OutgoingRecord {
  const dlt = (name: string): Headers => {
    const value = record.headers[name];
    return value === undefined ? {} : { [name]: value };
  };
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...originalHeaders(record),
      ...copy(record, Object.values(ORIGINAL_HEADERS)),
      [RETRY_HEADERS.attempt]: String((message.attempts ?? 1) + 1),
      [RETRY_HEADERS.dueAt]: String(stamp.now),
      ...renamed(dlt(DEAD_LETTER_HEADERS.firstFailureAt), RETRY_HEADERS.firstFailureAt),
      ...renamed(dlt(DEAD_LETTER_HEADERS.lastFailureAt), RETRY_HEADERS.lastFailureAt),
      ...renamed(dlt(DEAD_LETTER_HEADERS.errorCode), RETRY_HEADERS.errorCode),
      ...renamed(dlt(DEAD_LETTER_HEADERS.errorClass), RETRY_HEADERS.errorClass),
      ...renamed(dlt(DEAD_LETTER_HEADERS.errorMessage), RETRY_HEADERS.errorMessage),
      [REDRIVE_HEADERS.count]: String(message.redriveCount + 1),
      [REDRIVE_HEADERS.at]: String(stamp.now),
      [REDRIVE_HEADERS.job]: stamp.jobId,
      [REDRIVE_HEADERS.from]: message.id,
    },
  };
}

function renamed(headers: Headers, name: string): Headers {
  const value = Object.values(headers)[0];
  return value === undefined ? {} : { [name]: value };
}

/** The record for `<group>.quarantine`: the dead-letter record as it is, with why it stopped there. */
export function quarantineRecord(
  record: ConsumedRecord,
  message: DeadLetterMessage,
  stamp: RedriveStamp & { maxRedrives: number },
): OutgoingRecord {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(record.headers)) if (value !== undefined) headers[name] = value;
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...headers,
      [QUARANTINE_HEADERS.at]: String(stamp.now),
      [QUARANTINE_HEADERS.reason]: `redriven ${message.redriveCount} times (cap ${stamp.maxRedrives})`,
      [REDRIVE_HEADERS.job]: stamp.jobId,
      [REDRIVE_HEADERS.from]: message.id,
    },
  };
}
