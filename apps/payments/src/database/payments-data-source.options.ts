import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CustomerAccountEntity } from './customer-account.entity';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';

/** Every entity of the payments database. */
export const PAYMENTS_ENTITIES = [CustomerAccountEntity];

/** Every migration of the payments database, oldest first. */
export const PAYMENTS_MIGRATIONS = [InitialSchema1764230400000];

export function paymentsDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: PAYMENTS_ENTITIES,
    migrations: PAYMENTS_MIGRATIONS,
    applicationName: 'payments',
  });
}
