/**
 * `effectivelyOnce({ dataSource })`: the core's effectively-once middleware on a `PostgresInbox`, in one
 * call, for pipelines built by hand (`subscribe()` and the Nest module compose the two themselves). Each
 * message's writes, its outbox events and its inbox row commit in one transaction of the service's
 * DataSource; a redelivered message finds its row and is skipped. The inbox classifies a failed statement
 * (`classifyPostgresError`): a data exception or constraint violation (SQLSTATE class 22 or 23) leaves as
 * a non-retriable `PostgresError` and is dead-lettered on its first attempt.
 *
 * `entityManagerOf(context)` is the handler's typed way to that transaction.
 */
import { EntityManager, type DataSource } from 'typeorm';
import type { HandlerContext, InboundMessage, Middleware } from '../core/handler';
import { effectivelyOnceMiddleware, type DuplicateMessage } from '../delivery/effectively-once.middleware';
import type { PostgresErrorClassifierOptions } from './postgres-error.classifier';
import { PostgresInbox } from './postgres.inbox';
import { MissingTransactionError } from './postgres.errors';

export interface EffectivelyOnceOptions extends PostgresErrorClassifierOptions {
  /** The service's own database, holding its business tables and the inbox. */
  dataSource: DataSource;
  /** Default `messaging_inbox`; may be schema-qualified. Must match the migration's table. */
  inboxTable?: string;
  /** Called once per skipped duplicate, after the (empty) transaction ended; e.g. a metrics counter. */
  onDuplicate?: (duplicate: DuplicateMessage) => void;
}

export function effectivelyOnce(options: EffectivelyOnceOptions): Middleware {
  const { dataSource, inboxTable, onDuplicate, ...classifier } = options;
  return effectivelyOnceMiddleware({
    inbox: new PostgresInbox(dataSource, { ...classifier, ...(inboxTable ? { table: inboxTable } : {}) }),
    ...(onDuplicate ? { onDuplicate } : {}),
  });
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
