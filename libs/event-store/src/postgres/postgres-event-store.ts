/**
 * The event store on PostgreSQL. Every method takes the caller's transaction (a TypeORM EntityManager,
 * like the messaging library's OutboxWriter), so an append commits or rolls back together with whatever
 * else the transaction writes: the events' outbox rows, a projection, the inbox row of the message that
 * caused it. The store opens no transaction and holds no connection of its own.
 *
 * Tables: see migrations/1765100000000-create-event-store.ts.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { WrongExpectedVersionError } from '../core/errors';
import {
  expectedVersionNumber,
  type AppendResult,
  type EventData,
  type EventMetadata,
  type ExpectedVersion,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../core/stream';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** What kind of aggregate the stream belongs to; recorded when the stream is created. */
  streamType: string;
  /** Metadata for every event of this append (cause, correlation). */
  metadata?: EventMetadata;
}

/** A stored snapshot as it is in the table; `SnapshotPolicy` decides whether and how it is read. */
export interface StoredSnapshot {
  version: number;
  schemaVersion: number;
  state: unknown;
}

interface EventRow {
  event_id: string;
  stream_id: string;
  version: number;
  position: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

/** The columns of an event row, optionally qualified by a table alias. */
function eventColumns(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}event_id, ${a}stream_id, ${a}version, ${a}position::text AS position, ${a}type, ${a}data, ${a}metadata, ${a}recorded_at`;
}
const EVENT_COLUMNS = eventColumns();

function recorded<E extends EventData>(row: EventRow): RecordedEvent<E> {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    position: row.position,
    type: row.type as E['type'],
    data: row.data as E['data'],
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

export class PostgresEventStore {
  /**
   * Appends `events` to the stream if it is at the expected version; otherwise appends nothing and throws
   * `WrongExpectedVersionError`. The transaction stays usable after a conflict (no statement failed), so
   * the caller can reload and try again in it. Appending no events checks the expected version only.
   */
  async append<E extends EventData>(
    manager: EntityManager,
    streamId: string,
    events: readonly E[],
    options: AppendOptions,
  ): Promise<AppendResult<E>> {
    const expected = expectedVersionNumber(options.expectedVersion);
    const count = events.length;
    const version = await this.advance(manager, streamId, options.streamType, expected, count);
    if (version === undefined) {
      throw new WrongExpectedVersionError(
        streamId,
        options.expectedVersion,
        await this.version(manager, streamId),
      );
    }
    if (count === 0) return { version, events: [] };

    const ids = events.map(() => randomUUID());
    const metadata = JSON.stringify(options.metadata ?? {});
    const rows = (await manager.query(
      `INSERT INTO event_store_events (event_id, stream_id, version, type, data, metadata)
       SELECT e.event_id::uuid, $1, $2 + e.ordinality, e.type, e.data::jsonb, $6::jsonb
         FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e (event_id, type, data, ordinality)
       RETURNING ${EVENT_COLUMNS}`,
      [
        streamId,
        version - count,
        ids,
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        metadata,
      ],
    )) as EventRow[];
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    return {
      version,
      events: ids.map((id) => recorded<E>(byId.get(id) as EventRow)),
    };
  }

  /** The stream's events in version order, within the bounds given; empty for a stream that does not exist. */
  async readStream<E extends EventData>(
    manager: EntityManager,
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    const rows = (await manager.query(
      `SELECT ${EVENT_COLUMNS} FROM event_store_events
        WHERE stream_id = $1 AND version >= $2
          AND ($3::integer IS NULL OR version <= $3)
          AND ($4::timestamptz IS NULL OR recorded_at <= $4)
        ORDER BY version`,
      [streamId, options.fromVersion ?? 1, options.toVersion ?? null, options.asOf ?? null],
    )) as EventRow[];
    return rows.map((row) => recorded<E>(row));
  }

  /** The stream's current version; 0 if it does not exist. */
  async version(manager: EntityManager, streamId: string): Promise<number> {
    const rows = (await manager.query('SELECT version FROM event_store_streams WHERE stream_id = $1', [
      streamId,
    ])) as { version: number }[];
    return rows[0]?.version ?? 0;
  }

  /**
   * Events of all streams after `position`, in position order, for a reader that catches up (a projection
   * rebuild). It never reads past a transaction still in flight: an event appended earlier but committed
   * later would otherwise be skipped for good, since positions are assigned at insert, not at commit.
   */
  async readAll<E extends EventData>(
    manager: EntityManager,
    options: { after?: string; limit?: number; streamType?: string } = {},
  ): Promise<RecordedEvent<E>[]> {
    const rows = (await manager.query(
      `SELECT ${eventColumns('e')}
         FROM event_store_events e
         ${options.streamType ? 'JOIN event_store_streams s ON s.stream_id = e.stream_id AND s.stream_type = $3' : ''}
        WHERE e.position > $1::bigint
          AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.position
        LIMIT $2`,
      [options.after ?? '0', options.limit ?? 1_000, ...(options.streamType ? [options.streamType] : [])],
    )) as EventRow[];
    return rows.map((row) => recorded<E>(row));
  }

  /** The stream's snapshot, whatever its schema version; undefined if there is none. */
  async loadSnapshot(manager: EntityManager, streamId: string): Promise<StoredSnapshot | undefined> {
    const rows = (await manager.query(
      'SELECT version, schema_version, state FROM event_store_snapshots WHERE stream_id = $1',
      [streamId],
    )) as { version: number; schema_version: number; state: unknown }[];
    const row = rows[0];
    return row && { version: row.version, schemaVersion: row.schema_version, state: row.state };
  }

  /** Stores a snapshot unless a newer one (a higher version) is already there. */
  async saveSnapshot(manager: EntityManager, streamId: string, snapshot: StoredSnapshot): Promise<void> {
    await manager.query(
      `INSERT INTO event_store_snapshots (stream_id, version, schema_version, state)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (stream_id) DO UPDATE
          SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version,
              state = EXCLUDED.state, taken_at = now()
        WHERE event_store_snapshots.version <= EXCLUDED.version`,
      [streamId, snapshot.version, snapshot.schemaVersion, JSON.stringify(snapshot.state)],
    );
  }

  /**
   * Checks the expected version and raises the stream's version by `count` in one statement; returns the
   * new version, or undefined if the stream was not at the expected version. The statement locks the
   * stream's row until the transaction ends, so a concurrent append waits for it and then finds the
   * version changed.
   */
  private async advance(
    manager: EntityManager,
    streamId: string,
    streamType: string,
    expected: number | undefined,
    count: number,
  ): Promise<number | undefined> {
    let rows: { version: number }[];
    if (expected === undefined) {
      rows = (await manager.query(
        `INSERT INTO event_store_streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
         ON CONFLICT (stream_id) DO UPDATE SET version = event_store_streams.version + EXCLUDED.version
         RETURNING version`,
        [streamId, streamType, count],
      )) as { version: number }[];
    } else if (expected === 0) {
      rows = (await manager.query(
        `INSERT INTO event_store_streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
         ON CONFLICT (stream_id) DO NOTHING
         RETURNING version`,
        [streamId, streamType, count],
      )) as { version: number }[];
    } else {
      // A CTE, so that the driver returns the rows as for a SELECT.
      rows = (await manager.query(
        `WITH advanced AS (
           UPDATE event_store_streams SET version = version + $3
            WHERE stream_id = $1 AND version = $2
           RETURNING version)
         SELECT version FROM advanced`,
        [streamId, expected, count],
      )) as { version: number }[];
    }
    return rows[0]?.version;
  }
}
