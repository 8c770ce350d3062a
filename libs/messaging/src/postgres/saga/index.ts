import type { MigrationInterface } from 'typeorm';
import { CreateSagaInstances1765300000000 } from './migrations/1765300000000-create-saga-instances';

export * from './postgres-saga-orchestrator';

/** The saga tables' migrations, oldest first, for an orchestrating service's DataSource. */
export function sagaMigrations(): (new () => MigrationInterface)[] {
  return [CreateSagaInstances1765300000000];
}
