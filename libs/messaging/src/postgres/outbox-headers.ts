/**
 * Kafka headers as stored in the outbox's jsonb column. CloudEvents headers are text and stay readable in
 * psql as plain strings; a binary header value (allowed by Kafka) is kept byte for byte as
 * `{"base64": "..."}`, so the relay publishes exactly what the writer encoded.
 */
import type { Headers } from '../ports/kafka-client.port';

export type StoredHeaderValue = string | { base64: string };
export type StoredHeaders = Record<string, StoredHeaderValue>;

export function toStoredHeaders(headers: Headers = {}): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    stored[name] = typeof value === 'string' ? value : { base64: value.toString('base64') };
  }
  return stored;
}

export function fromStoredHeaders(stored: StoredHeaders): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(stored)) {
    headers[name] = typeof value === 'string' ? value : Buffer.from(value.base64, 'base64');
  }
  return headers;
}
