import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projection's generations: each build of the read model lives in a schema of its own
 * (`order_history_g<n>`) and is consumed by a consumer group of its own (`order-history.g<n>`); this table
 * says which one is served, which one is being built, and where a build must reach before it may be served
 * (its high-water marks). At most one generation is served and at most one is being built; the unique
 * partial indexes hold that even against two instances booting at once.
 */
export class CreateProjectionGenerations1796300000000 implements MigrationInterface {
  name = 'CreateProjectionGenerations1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_generations (
        generation        integer     PRIMARY KEY CONSTRAINT projection_generations_positive CHECK (generation > 0),
        code_version      integer     NOT NULL,
        status            text        NOT NULL
                          CONSTRAINT projection_generations_status CHECK (status IN ('building', 'serving', 'retired')),
        consumer_group    text        NOT NULL,
        -- topic -> partition -> log-end offset when the build started: it is caught up past these.
        high_water_marks  jsonb,
        -- topic -> partition -> committed offset found at the last resume after a restart.
        resumed_from      jsonb,
        resumes           integer     NOT NULL DEFAULT 0,
        created_at        timestamptz NOT NULL DEFAULT now(),
        served_at         timestamptz,
        retired_at        timestamptz
      )
    `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX projection_generations_one_serving ON projection_generations ((true)) WHERE status = 'serving'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX projection_generations_one_building ON projection_generations ((true)) WHERE status = 'building'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_generations');
  }
}
