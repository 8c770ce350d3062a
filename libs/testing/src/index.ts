/**
 * Public API of @orderstream/testing: infrastructure selection, per-test isolation, waiting on conditions.
 */
export * from './infrastructure/infrastructure';
export { provideInfrastructure } from './infrastructure/provide-infrastructure';
export {
  INFRASTRUCTURE_PREFERENCES,
  InfrastructureSelectionError,
  type InfrastructurePreference,
} from './infrastructure/infrastructure-preference';
export type { ProvidedInfrastructure } from './infrastructure/native';
export * from './isolation/unique-name';
export * from './isolation/test-database';
export * from './isolation/migrated-database';
export * from './isolation/test-topic';
export * from './wait/wait-for';
export * from './net/free-port';
export * from './bench/pg-commit-rate';
export * from './bench/bench-cli';
export * from './bench/process-cpu';
export * from './bench/bench-processes';
