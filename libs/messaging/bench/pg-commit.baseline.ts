/**
 * The PostgreSQL baseline: how many single-row INSERT transactions per second the database commits, with
 * the plain `pg` client and nothing else. `effectively-once` costs one transaction per message (inbox row
 * + the handler's writes), so this rate is its ceiling. The row goes into the inbox table itself (its own
 * consumer group), so the baseline pays for the same primary key and index as the real thing.
 */
import { Client } from 'pg';

export interface PgCommitOptions {
  databaseUrl: string;
  /** Connections inserting at the same time, each one transaction after another. */
  connections: number;
  warmUpMs: number;
  durationMs: number;
  /** Table shaped like the inbox: (consumer_group, message_id, topic, partition, "offset"). */
  table: string;
  /** Distinguishes this measurement's rows from every other's. */
  groupId: string;
}

/** Commits per second over `durationMs`, after `warmUpMs` of the same work that is not counted. */
export async function measurePgCommitRate(options: PgCommitOptions): Promise<number> {
  const clients = Array.from({ length: options.connections }, () => new Client(options.databaseUrl));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    // One INSERT without BEGIN/COMMIT is one transaction: the cheapest way to commit one row.
    const sql = `INSERT INTO ${options.table} (consumer_group, message_id, topic, partition, "offset") VALUES ($1, $2, 'bench', $3, $4)`;
    let sequence = 0;
    const insertUntil = async (client: Client, partition: number, deadline: number): Promise<number> => {
      let committed = 0;
      while (performance.now() < deadline) {
        sequence += 1;
        await client.query(sql, [options.groupId, `m-${sequence}`, partition, sequence]);
        committed += 1;
      }
      return committed;
    };
    const warmUpEnd = performance.now() + options.warmUpMs;
    await Promise.all(clients.map((c, i) => insertUntil(c, i, warmUpEnd)));
    const started = performance.now();
    const counts = await Promise.all(clients.map((c, i) => insertUntil(c, i, started + options.durationMs)));
    const elapsedMs = performance.now() - started;
    return counts.reduce((a, b) => a + b, 0) / (elapsedMs / 1_000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
