import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ops desk's own tables: the audit trail of every operator action, the redrive jobs, and which
 * dead-letter records were redriven or quarantined (so a list shows them as dealt with and a redrive by
 * filter leaves them out).
 */
export class CreateOperations1765900000000 implements MigrationInterface {
  name = 'CreateOperations1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ops_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        via text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        dry_run boolean NOT NULL,
        request jsonb NOT NULL,
        affected integer NOT NULL,
        outcome text NOT NULL,
        detail jsonb NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX ops_audit_at ON ops_audit (at DESC)');
    await queryRunner.query(`
      CREATE TABLE ops_redrive_jobs (
        job_id uuid PRIMARY KEY,
        group_id text NOT NULL,
        actor text NOT NULL,
        filter jsonb NOT NULL,
        until jsonb NOT NULL,
        max_redrives integer NOT NULL,
        include_redriven boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        redriven integer NOT NULL DEFAULT 0,
        quarantined integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE ops_redriven (
        message_id text PRIMARY KEY,
        group_id text NOT NULL,
        event_id text,
        job_id uuid NOT NULL,
        action text NOT NULL CHECK (action IN ('redriven', 'quarantined')),
        at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ops_redriven');
    await queryRunner.query('DROP TABLE ops_redrive_jobs');
    await queryRunner.query('DROP TABLE ops_audit');
  }
}
