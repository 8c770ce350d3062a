/**
 * `@orderstream/event-store/postgres`: the event store on PostgreSQL (TypeORM EntityManager as the
 * transaction handle), the repository of event-sourced aggregates, and the migration that creates the
 * tables. Add `eventStoreMigrations()` to a service's DataSource `migrations`.
 */
import type { MigrationInterface } from 'typeorm';
import { CreateEventStore1765100000000 } from './migrations/1765100000000-create-event-store';

export * from './postgres-event-store';
export * from './event-sourced-repository';

/** The event store's migrations, oldest first. */
export function eventStoreMigrations(): (new () => MigrationInterface)[] {
  return [CreateEventStore1765100000000];
}
