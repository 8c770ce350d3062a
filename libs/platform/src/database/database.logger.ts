import type { Logger as TypeOrmLogger } from 'typeorm';
import type { ServiceLogger } from '../logging/service-logger';

/**
 * TypeORM's logger interface on top of the service's pino logger, so SQL errors and migrations are JSON
 * lines like everything else. Verbosity follows LOG_LEVEL: queries at debug, migrations at info.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger: ServiceLogger;

  constructor(logger: ServiceLogger, database: string) {
    this.logger = logger.child({ component: 'typeorm', database });
  }

  logQuery(query: string, parameters?: unknown[]): void {
    // Parameters may hold personal data; they are only logged at trace.
    if (this.logger.isLevelEnabled('trace')) this.logger.trace({ query, parameters }, 'query');
    else this.logger.debug({ query }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    // Only debug: the caller receives the error and decides whether it is one. A unique violation, for
    // instance, is how the inbox recognises a duplicate message.
    this.logger.debug({ err: error, query }, 'query failed');
  }

  logQuerySlow(durationMs: number, query: string): void {
    this.logger.warn({ durationMs, query }, 'slow query');
  }

  /** With `synchronize` off, only the migration runner reports here ("Migration … executed successfully"). */
  logSchemaBuild(message: string): void {
    this.logger.info(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ detail: message }, 'typeorm warning');
    else this.logger.debug({ detail: message }, 'typeorm');
  }
}
