/**
 * `effectively-once` = at-least-once delivery + deduplication in the handler's own database transaction,
 * framework-free: the database is behind the `InboxPort`.
 *
 * For each message the inbox runs the rest of the pipeline in one transaction that also records
 * (consumer group, ce_id); the handler gets that transaction as `context.transaction`. The handler's writes,
 * its outbox events and the inbox record commit together or not at all. A message delivered again (the
 * consumer died after that commit but before its offset commit, or a rebalance handed it to another member)
 * finds its record and is skipped: logged, reported to `onDuplicate`, and acknowledged so the partition
 * moves on.
 *
 * It sits inside the failure layers (each attempt is a fresh transaction; a failed attempt leaves no inbox
 * record) and outside decoding. It reads `ce_id` from the raw record headers, so it needs no envelope.
 * Effects outside the database (HTTP calls, emails) are not covered: make them idempotent, or turn them
 * into outbox events.
 */
import { HEADERS } from '../core/envelope';
import type { HandlerContext, InboundMessage, Middleware } from '../core/handler';
import { DecodeError } from '../errors/messaging.error';
import type { InboxEntry, InboxPort } from '../ports/inbox.port';

/** What is known about a skipped duplicate; enough to count it per group, topic and event type. */
export interface DuplicateMessage extends InboxEntry {
  /** `ce_type` from the record headers, when present. */
  eventType?: string;
}

export interface EffectivelyOnceMiddlewareOptions {
  inbox: InboxPort;
  /** Called once per skipped duplicate, after the (empty) transaction ended; e.g. a metrics counter. */
  onDuplicate?: (duplicate: DuplicateMessage) => void;
}

/**
 * The inbox entry of a message: its consumer group and `ce_id`, with where it was read. A record without
 * `ce_id` cannot be deduplicated; handling it anyway would silently downgrade the guarantee to
 * at-least-once, so it is refused like any other unreadable record (`DecodeError`).
 */
export function inboxEntryOf(message: InboundMessage): InboxEntry {
  const { record, groupId } = message;
  const messageId = record.headers[HEADERS.id]?.toString('utf8');
  if (!messageId) {
    throw new DecodeError(
      `Record ${record.topic}/${record.partition}@${record.offset} has no ${HEADERS.id} header; effectively-once needs it`,
    );
  }
  return { groupId, messageId, topic: record.topic, partition: record.partition, offset: record.offset };
}

/** Logs a skipped duplicate and tells the listener (a metrics counter, say). */
export function reportDuplicate(
  message: InboundMessage,
  context: HandlerContext,
  entry: InboxEntry,
  onDuplicate: ((duplicate: DuplicateMessage) => void) | undefined,
): void {
  const eventType = message.record.headers[HEADERS.type]?.toString('utf8');
  const duplicate: DuplicateMessage = { ...entry, ...(eventType ? { eventType } : {}) };
  context.logger.info({ ...duplicate }, 'duplicate skipped');
  onDuplicate?.(duplicate);
}

export function effectivelyOnceMiddleware(options: EffectivelyOnceMiddlewareOptions): Middleware {
  const { inbox } = options;
  return (next) => async (message, context) => {
    const entry = inboxEntryOf(message);
    const handled = await inbox.runOnce(entry, (transaction) => next(message, { ...context, transaction }));
    if (!handled) reportDuplicate(message, context, entry, options.onDuplicate);
  };
}
