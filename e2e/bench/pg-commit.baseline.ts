/**
 * The PostgreSQL baseline of the system bench: how many single-row INSERT transactions per second the
 * database commits with the plain `pg` client and nothing else. Every saga step is at least one such commit
 * (the inbox row plus the handler's writes and its outbox row), so this rate bounds what the saga can reach.
 * A copy of the messaging bench's baseline rather than an import: projects never import each other's files.
 */
import { Client } from 'pg';

export interface PgCommitOptions {
  databaseUrl: string;
  /** Connections inserting at the same time, each one transaction after another. */
  connections: number;
  warmUpMs: number;
  durationMs: number;
}

/** Commits per second over `durationMs`, after `warmUpMs` of the same work that is not counted. */
export async function measurePgCommitRate(options: PgCommitOptions): Promise<number> {
  const setup = new Client(options.databaseUrl);
  await setup.connect();
  try {
    // Shaped like a small outbox/inbox row: a primary key and a short text value.
    await setup.query(
      'CREATE TABLE IF NOT EXISTS bench_commits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL)',
    );
  } finally {
    await setup.end();
  }
  const clients = Array.from({ length: options.connections }, () => new Client(options.databaseUrl));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    // One INSERT without BEGIN/COMMIT is one transaction: the cheapest way to commit one row.
    const insertUntil = async (client: Client, deadline: number): Promise<number> => {
      let committed = 0;
      while (performance.now() < deadline) {
        await client.query('INSERT INTO bench_commits (note) VALUES ($1)', [`row-${committed}`]);
        committed += 1;
      }
      return committed;
    };
    const warmUpEnd = performance.now() + options.warmUpMs;
    await Promise.all(clients.map((c) => insertUntil(c, warmUpEnd)));
    const started = performance.now();
    const counts = await Promise.all(clients.map((c) => insertUntil(c, started + options.durationMs)));
    const elapsedMs = performance.now() - started;
    return counts.reduce((a, b) => a + b, 0) / (elapsedMs / 1_000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
