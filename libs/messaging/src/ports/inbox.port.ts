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
}
