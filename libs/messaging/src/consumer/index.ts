export {
  ConsumerRunner,
  ConsumerRunnerConfigError,
  type ConsumerRunnerOptions,
  type StopOptions,
  type StopReport,
} from './consumer-runner';
export type { UnitOfWork, UnitOfWorkOptions } from './unit-of-work';
