/**
 * `effectively-once` = at-least-once delivery + deduplication in the handler's own database transaction.
 *
 * For each message: open a transaction, insert (consumer group, ce_id) into the inbox, run the handler with
 * that transaction in `context.transaction`, commit. The handler's writes, its outbox events and the inbox
 * row commit together or not at all. A message that is delivered again (the consumer died after this commit
 * but before its offset commit, or a rebalance handed it to another instance) finds its inbox row and is
 * skipped: logged, counted, and acknowledged so the partition moves on.
 *
 * Place it inside the retry middleware (each attempt is a fresh transaction; a failed attempt leaves no
 * inbox row) and outside the handler. It owns the transaction, so it is where a failed statement of the
 * handler is classified (`classifyPostgresError`): a data exception or constraint violation (SQLSTATE
 * class 22 or 23) leaves as a non-retriable `PostgresError` and is dead-lettered on its first attempt. It reads `ce_id` from the raw record headers, so it does not need the
 * decoded envelope. Effects outside the database (HTTP calls, emails) are not covered: make them
 * idempotent, or turn them into outbox events.
 */
import { EntityManager, type DataSource } from 'typeorm';
import { HEADERS } from '../core/envelope';
import type { HandlerContext, InboundMessage, Middleware } from '../core/handler';
import { DecodeError } from '../errors/messaging.error';
import { InboxStore } from './inbox.store';
import { classifyPostgresError, type PostgresErrorClassifierOptions } from './postgres-error.classifier';
import { MissingTransactionError } from './postgres.errors';

/** What is known about a skipped duplicate; enough to count it per group, topic and event type. */
export interface DuplicateMessage {
  groupId: string;
  messageId: string;
  topic: string;
  partition: number;
  offset: string;
  /** `ce_type` from the record headers, when present. */
  eventType?: string;
}

export interface EffectivelyOnceOptions extends PostgresErrorClassifierOptions {
  /** The service's own database, holding its business tables and the inbox. */
  dataSource: DataSource;
  /** Default `messaging_inbox`; may be schema-qualified. Must match the migration's table. */
  inboxTable?: string;
  /** Called once per skipped duplicate, after the (empty) transaction ended; e.g. a metrics counter. */
  onDuplicate?: (duplicate: DuplicateMessage) => void;
}

export function effectivelyOnce(options: EffectivelyOnceOptions): Middleware {
  const inbox = new InboxStore(options.inboxTable);
  return (next) => async (message, context) => {
    const { record, groupId } = message;
    const messageId = record.headers[HEADERS.id]?.toString('utf8');
    if (!messageId) {
      // Without an id there is nothing to deduplicate on; handling it anyway would silently downgrade the
      // guarantee to at-least-once, so it is treated like any other unreadable record.
      throw new DecodeError(
        `Record ${record.topic}/${record.partition}@${record.offset} has no ${HEADERS.id} header; effectively-once needs it`,
      );
    }
    const entry = {
      groupId,
      messageId,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    };
    let handled: boolean;
    try {
      handled = await options.dataSource.transaction(async (manager) => {
        if (!(await inbox.record(manager, entry))) return false;
        await next(message, { ...context, transaction: manager });
        return true;
      });
    } catch (error) {
      throw classifyPostgresError(error, options);
    }
    if (!handled) {
      const eventType = record.headers[HEADERS.type]?.toString('utf8');
      const duplicate: DuplicateMessage = { ...entry, ...(eventType ? { eventType } : {}) };
      context.logger.info({ ...duplicate }, 'duplicate skipped');
      options.onDuplicate?.(duplicate);
    }
  };
}

/**
 * The transaction of an effectively-once handler, typed. Do every write of the handler through it,
 * including `OutboxWriter.add`. Throws when the handler does not run under `effectivelyOnce`.
 */
export function entityManagerOf(context: HandlerContext): EntityManager {
  const { transaction } = context;
  if (!(transaction instanceof EntityManager)) {
    throw new MissingTransactionError(
      `Handler for ${describe(context.message)} has no database transaction: it does not run under effectively-once`,
    );
  }
  return transaction;
}

function describe(message: InboundMessage): string {
  return `${message.record.topic}/${message.record.partition}@${message.record.offset}`;
}
