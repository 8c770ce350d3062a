import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per orchestrated saga instance: where it stands (status, step, the command it awaits, attempts,
 * the deadline of that command, why it compensates) and its data. The orchestrator changes a row and
 * writes the commands it decided to the outbox in one transaction.
 */
export class CreateSagaInstances1765300000000 implements MigrationInterface {
  name = 'CreateSagaInstances1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE saga_instances (
        id          text        PRIMARY KEY,
        saga        text        NOT NULL,
        status      text        NOT NULL CONSTRAINT saga_instances_status_check
          CHECK (status IN ('running', 'compensating', 'completed', 'compensated', 'stuck')),
        data        jsonb       NOT NULL,
        step        integer     NOT NULL CHECK (step >= 0),
        -- The command the instance awaits a reply to: replies are correlated by it.
        command_id  text        NOT NULL CONSTRAINT saga_instances_command_id_key UNIQUE,
        attempt     integer     NOT NULL CHECK (attempt >= 0),
        -- When the awaited command times out; null once the saga has ended.
        deadline    timestamptz,
        failure     jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
    // The deadline poller's scan: only instances still waiting for something.
    await queryRunner.query(
      'CREATE INDEX saga_instances_deadline_idx ON saga_instances (deadline) WHERE deadline IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE saga_instances');
  }
}
