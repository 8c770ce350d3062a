import type { DataSourceOptions, MigrationInterface } from 'typeorm';

export interface PostgresDataSourceSettings {
  /** `postgres://user:password@host:5432/database` */
  url: string;
  /**
   * Entity and migration classes, listed explicitly rather than as glob strings: globs point at either
   * `.ts` or `.js` files and so break when the same code runs from sources (tests) and from dist.
   */
  entities: readonly (new () => object)[];
  migrations: readonly (new () => MigrationInterface)[];
  /**
   * Apply pending migrations when the DataSource connects (at boot). Default true, so a fresh database is
   * usable without a separate step; turn it off when migrations are run by a deployment job instead.
   */
  migrationsRun?: boolean;
  /** Shown in `pg_stat_activity.application_name`, to tell services apart on a shared server. */
  applicationName?: string;
}

/**
 * DataSource options for one PostgreSQL database. The schema is owned by migrations only: `synchronize`
 * is always off, because letting TypeORM alter tables from entity metadata loses data in production.
 */
export function postgresDataSourceOptions(settings: PostgresDataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: [...settings.entities],
    migrations: [...settings.migrations],
    migrationsRun: settings.migrationsRun ?? true,
    // One transaction for the whole batch: a failing migration leaves the schema as it was.
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Fail a connection attempt quickly instead of hanging a health check or a request on a dead server.
    connectTimeoutMS: 5_000,
    ...(settings.applicationName ? { applicationName: settings.applicationName } : {}),
  };
}
