/**
 * The PostgreSQL baseline the benchmarks compare against: how many single-row INSERT transactions per second
 * the database commits with the plain `pg` client and nothing else. Each benchmark says which row it
 * inserts, so the baseline pays for the same kind of key and index as the work it bounds.
 */
import { Client } from 'pg';

export interface PgCommitRateOptions {
  databaseUrl: string;
  /** Connections inserting at the same time, each one transaction after another. */
  connections: number;
  warmUpMs: number;
  durationMs: number;
  /** Run once before measuring, e.g. to create the table. */
  setupSql?: string;
  /** One INSERT, run without BEGIN/COMMIT so it is one transaction: the cheapest way to commit one row. */
  insertSql: string;
  /** Parameters of one insert, from the connection's index and a sequence unique within the run. */
  parameters: (connection: number, sequence: number) => unknown[];
}

/** Commits per second over `durationMs`, after `warmUpMs` of the same work that is not counted. */
export async function measurePgCommitRate(options: PgCommitRateOptions): Promise<number> {
  const clients = Array.from({ length: options.connections }, () => new Client(options.databaseUrl));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    if (options.setupSql && clients[0]) await clients[0].query(options.setupSql);
    let sequence = 0;
    const insertUntil = async (client: Client, connection: number, deadline: number): Promise<number> => {
      let committed = 0;
      while (performance.now() < deadline) {
        sequence += 1;
        await client.query(options.insertSql, options.parameters(connection, sequence));
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
