import { eventStoreMigrations } from '@orderstream/event-store/postgres';
import { messagingMigrations } from '@orderstream/messaging/postgres';
import { postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { CustomerAccountEntity } from './customer-account.entity';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
import { CreatePayments1764400000000 } from './migrations/1764400000000-create-payments';
import { SeedDemoCustomers1764400000001 } from './migrations/1764400000001-seed-demo-customers';
import { EventSourceCustomerAccounts1765200000000 } from './migrations/1765200000000-event-source-customer-accounts';
import { PaymentEntity } from './payment.entity';

/** Every entity of the payments database. */
export const PAYMENTS_ENTITIES = [CustomerAccountEntity, PaymentEntity];

/**
 * Every migration of the payments database, oldest first: the outbox and inbox tables come from messaging,
 * the event store's from the event store.
 */
export const PAYMENTS_MIGRATIONS = [
  InitialSchema1764230400000,
  ...messagingMigrations(),
  CreatePayments1764400000000,
  SeedDemoCustomers1764400000001,
  ...eventStoreMigrations(),
  EventSourceCustomerAccounts1765200000000,
];

export function paymentsDataSourceOptions(url: string): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    entities: PAYMENTS_ENTITIES,
    migrations: PAYMENTS_MIGRATIONS,
    applicationName: 'payments',
  });
}
