/**
 * The inbox port: what `effectively-once` needs from the service's database, without naming one. An
 * adapter (the PostgreSQL entry's `PostgresInbox`) runs a handler's work and records the message as handled
 * in one local transaction; a second delivery of the same message finds the record and does nothing.
 */

/** One message as the inbox records it: the consumer group and `ce_id` are the key, the rest is for operators. */
export interface InboxEntry {
  groupId: string;
  messageId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Many messages of one partition in one transaction: the inbox records they already have are looked up
 * together when the batch opens, the records of the messages handled in it are written together when it
 * commits. What a handler writes through `transaction` commits with them or not at all.
 */
export interface InboxBatch {
  /** The adapter's transaction handle, shared by every message of the batch. */
  readonly transaction: unknown;
  /** Whether this message was recorded before the batch opened: a redelivery, whose work is skipped. */
  isRecorded(messageId: string): boolean;
  /** Notes that this message's work ran in the batch; its record is written at `commit`. */
  add(entry: InboxEntry): void;
  /**
   * Writes the records of every added message and commits. When another consumer recorded one of them
   * meanwhile (a rebalance handed the partition over while this batch ran), nothing commits and it throws
   * `InboxConflictError`: the batch's messages are delivered again and then found recorded.
   */
  commit(): Promise<void>;
  /** Discards the batch's work and records. Safe after a failed commit. */
  rollback(): Promise<void>;
}

export interface InboxPort {
  /**
   * Runs `work` at most once per (group, message id) that commits: in one transaction that also records
   * `entry`. Resolves `true` once both committed, `false` without running `work` when the entry was
   * recorded before (a redelivery). A failing `work` rolls both back and its error is rethrown (an adapter
   * may rethrow it classified: a deterministic database error as non-retriable), so a later attempt starts
   * clean. `transaction` is the adapter's own handle (TypeORM's EntityManager for `PostgresInbox`); handlers
   * reach it through `context.transaction`.
   */
  runOnce(entry: InboxEntry, work: (transaction: unknown) => Promise<void>): Promise<boolean>;

  /**
   * Opens a batch for these messages of one consumer group (the ids of a partition's records about to be
   * handled). Optional: an inbox without it handles each message in its own transaction (`runOnce`).
   */
  openBatch?(groupId: string, messageIds: readonly string[]): Promise<InboxBatch>;
  /**
   * The error a handler's failure inside a batch stands for, classified the way `runOnce` classifies its
   * own (a deterministic database error as non-retriable). Default: the error as it is.
   */
  classify?(error: unknown): unknown;
}
