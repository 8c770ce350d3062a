/**
 * A database of the test's own, created from the server-level URL and dropped afterwards, so migrations
 * and rows of one test never meet another's.
 */
import { Client } from 'pg';
import { uniqueIdentifier } from './unique-name';

export interface TestDatabase {
  name: string;
  /** Connection URL for the new database. */
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function run(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const name = uniqueIdentifier(prefix);
  // Identifiers cannot be bound as parameters; `name` is generated above from [a-z0-9_] only.
  await run(serverUrl, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => run(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
