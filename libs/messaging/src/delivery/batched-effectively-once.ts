/**
 * Effectively-once with one database transaction per chunk of a partition's records, instead of one per
 * record: the runner's unit-of-work hook (consumer/unit-of-work.ts) opens an `InboxBatch` when a chunk
 * begins (the inbox records its messages already have are read with one query), every handler of the
 * chunk writes through the batch's transaction, and the chunk's inbox records are written together when the
 * runner commits it, before the offset commit. The saving is the per-record BEGIN, inbox INSERT and COMMIT.
 *
 * Inside a chunk the handlers run one at a time, even under per-key concurrency: they share one transaction,
 * and row locks do not serialise work inside one transaction, so two handlers running at once in it could
 * overwrite each other's read-modify-write.
 *
 * A failing handler is isolated, so it goes through retry and dead-letter alone while the rest commit: its
 * error rolls the transaction back (a failed statement aborts a PostgreSQL transaction anyway), the records
 * of the chunk handled before it are run again in a fresh transaction and committed at once, and the error
 * goes on to the failure layers; the following records continue in a new transaction. Committing that
 * prefix first keeps each key's effects in order. If that recovery itself fails (the database is down),
 * the rest of the chunk is deferred and the chunk's commit fails, so the runner delivers the chunk again
 * after its error backoff; what did commit is then found in the inbox.
 */
import { HEADERS } from '../core/envelope';
import { DeferredDelivery } from '../core/deferred';
import type { HandlerContext, InboundMessage, MessageHandler, Middleware } from '../core/handler';
import type { UnitOfWork, UnitOfWorkOptions } from '../consumer/unit-of-work';
import type { InboxBatch, InboxEntry, InboxPort } from '../ports/inbox.port';
import type { ConsumedRecord } from '../ports/kafka-client.port';
import { inboxEntryOf, reportDuplicate, type DuplicateMessage } from './effectively-once.middleware';

export interface BatchedEffectivelyOnceOptions {
  /** An inbox that can open batches (`PostgresInbox` can). */
  inbox: InboxPort & Required<Pick<InboxPort, 'openBatch'>>;
  groupId: string;
  /** Called once per skipped duplicate; e.g. a metrics counter. */
  onDuplicate?: (duplicate: DuplicateMessage) => void;
  /** Most records per transaction. Default: the runner's `commit.everyRecords`. */
  maxRecords?: number;
}

export interface BatchedEffectivelyOnce {
  /** For the runner: one unit of work per partition. */
  unitOfWork: UnitOfWorkOptions;
  /** For the pipeline's `transaction` stage. */
  middleware: Middleware;
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const messageIdOf = (record: ConsumedRecord): string | undefined =>
  record.headers[HEADERS.id]?.toString('utf8');

/** A handled record, kept until its chunk commits so it can be run again in a fresh transaction. */
interface Handled {
  message: InboundMessage;
  context: HandlerContext;
  entry: InboxEntry;
}

class PartitionBatches implements UnitOfWork {
  private messageIds: string[] = [];
  private batch: InboxBatch | undefined;
  private handled: Handled[] = [];
  /** ce_ids handled in this chunk: a second copy of one inside the chunk is a duplicate too. */
  private seen = new Set<string>();
  private broken: unknown;
  /** Handlers of one chunk run one after another (see the module comment). */
  private turn: Promise<void> = Promise.resolve();
  active = false;

  constructor(private readonly options: BatchedEffectivelyOnceOptions) {}

  async begin(records: readonly ConsumedRecord[]): Promise<void> {
    this.messageIds = records.flatMap((record) => messageIdOf(record) ?? []);
    this.handled = [];
    this.seen = new Set();
    this.broken = undefined;
    this.batch = await this.open();
    this.active = true;
  }

  async commit(): Promise<void> {
    await this.turn;
    this.active = false;
    if (this.broken !== undefined) {
      const error = this.broken;
      await this.discard();
      throw error;
    }
    const batch = this.batch;
    this.batch = undefined;
    this.handled = [];
    if (batch) await batch.commit();
  }

  async rollback(): Promise<void> {
    await this.turn;
    this.active = false;
    await this.discard();
  }

  /** Runs one message of the chunk in the chunk's transaction, one at a time. */
  run(
    message: InboundMessage,
    context: HandlerContext,
    next: MessageHandler,
    entry: InboxEntry,
  ): Promise<void> {
    const run = this.turn.then(() => this.runInTurn(message, context, next, entry));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async runInTurn(
    message: InboundMessage,
    context: HandlerContext,
    next: MessageHandler,
    entry: InboxEntry,
  ): Promise<void> {
    if (this.broken !== undefined) {
      // The chunk cannot commit: leave this record unfinished; the runner delivers the chunk again.
      throw new DeferredDelivery(Date.now());
    }
    this.batch ??= await this.open();
    if (this.batch.isRecorded(entry.messageId) || this.seen.has(entry.messageId)) {
      reportDuplicate(message, context, entry, this.options.onDuplicate);
      return;
    }
    try {
      await next(message, { ...context, transaction: this.batch.transaction });
    } catch (error) {
      await this.isolate(next, context);
      // Classified like a failure in a transaction of its own: a data error is not retried.
      throw this.options.inbox.classify ? this.options.inbox.classify(error) : error;
    }
    this.batch.add(entry);
    this.seen.add(entry.messageId);
    this.handled.push({ message, context, entry });
  }

  /** After a failure: the records handled before it, again in a fresh transaction, committed now. */
  private async isolate(next: MessageHandler, context: HandlerContext): Promise<void> {
    const handled = this.handled;
    this.handled = [];
    try {
      await this.batch?.rollback();
      this.batch = undefined;
      if (handled.length === 0) return;
      const batch = await this.open();
      try {
        for (const done of handled) {
          await next(done.message, { ...done.context, transaction: batch.transaction });
          batch.add(done.entry);
        }
        await batch.commit();
      } catch (error) {
        await batch.rollback();
        throw error;
      }
    } catch (error) {
      this.broken = error;
      context.logger.warn(
        { err: error, records: handled.length },
        'could not commit the records handled before a failure; the chunk is delivered again',
      );
    }
  }

  private open(): Promise<InboxBatch> {
    return this.options.inbox.openBatch(this.options.groupId, this.messageIds);
  }

  private async discard(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
    this.handled = [];
    this.broken = undefined;
    await batch?.rollback();
  }
}

export function batchedEffectivelyOnce(options: BatchedEffectivelyOnceOptions): BatchedEffectivelyOnce {
  const partitions = new Map<string, PartitionBatches>();
  const unitOfWork: UnitOfWorkOptions = {
    forPartition: (topic, partition) => {
      const unit = new PartitionBatches(options);
      partitions.set(partitionKey(topic, partition), unit);
      return unit;
    },
    ...(options.maxRecords !== undefined ? { maxRecords: options.maxRecords } : {}),
  };
  const middleware: Middleware = (next) => async (message, context) => {
    const entry = inboxEntryOf(message);
    const { record } = message;
    const unit = partitions.get(partitionKey(record.topic, record.partition));
    if (!unit?.active) {
      // Outside a chunk (the runner runs every record in one when it has the hook): its own transaction.
      const handled = await options.inbox.runOnce(entry, (transaction) =>
        next(message, { ...context, transaction }),
      );
      if (!handled) reportDuplicate(message, context, entry, options.onDuplicate);
      return;
    }
    await unit.run(message, context, next, entry);
  };
  return { unitOfWork, middleware };
}
