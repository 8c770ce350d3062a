import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store's three tables: streams (one row per stream: its current version, the row appends lock),
 * events (the history, the source of truth) and snapshots (a cache of the fold, one per stream).
 */
export class CreateEventStore1765100000000 implements MigrationInterface {
  name = 'CreateEventStore1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_store_streams (
        stream_id   text    PRIMARY KEY,
        -- What kind of aggregate the stream is the history of, e.g. CustomerAccount.
        stream_type text    NOT NULL,
        -- The number of events in the stream. An append checks and raises it in one statement, which
        -- locks the row: concurrent appends to one stream are serialised there, and all but one of
        -- those that expected the same version find it changed.
        version     integer NOT NULL CHECK (version >= 0)
      )
    `);
    await queryRunner.query(`
      CREATE TABLE event_store_events (
        -- Global order of appending. Assigned at insert, not at commit: a reader of all streams must not
        -- read past a transaction still in flight (see transaction_id), or it would skip its events.
        position       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id       uuid        NOT NULL CONSTRAINT event_store_events_event_id_key UNIQUE,
        stream_id      text        NOT NULL REFERENCES event_store_streams (stream_id),
        version        integer     NOT NULL CHECK (version >= 1),
        type           text        NOT NULL,
        data           jsonb       NOT NULL,
        metadata       jsonb       NOT NULL DEFAULT '{}',
        -- The appending transaction's start: every event of one append has the same time.
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        -- The appending transaction, so that readers of all streams stop below the oldest one in flight.
        transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
        -- The safety net under the streams row: never two events at one version of a stream.
        CONSTRAINT event_store_events_stream_version_key UNIQUE (stream_id, version)
      )
    `);
    await queryRunner.query(`
      CREATE TABLE event_store_snapshots (
        stream_id      text        PRIMARY KEY REFERENCES event_store_streams (stream_id),
        -- The stream version the state was folded up to.
        version        integer     NOT NULL,
        -- The version of the state's shape (SnapshotPolicy.schemaVersion) the code that wrote it used.
        schema_version integer     NOT NULL,
        state          jsonb       NOT NULL,
        taken_at       timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE event_store_snapshots');
    await queryRunner.query('DROP TABLE event_store_events');
    await queryRunner.query('DROP TABLE event_store_streams');
  }
}
