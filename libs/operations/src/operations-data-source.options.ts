import type { DataSourceOptions } from 'typeorm';
import { CreateOperations1765900000000 } from './migrations/1765900000000-create-operations';

export const OPERATIONS_MIGRATIONS = [CreateOperations1765900000000];

/** The ops database: no entities (plain SQL), its migrations run in one transaction. */
export function operationsDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    applicationName: 'orderstream-ops',
    migrations: OPERATIONS_MIGRATIONS,
    migrationsTransactionMode: 'all',
    migrationsRun: true,
    synchronize: false,
  };
}
