export {
  ConsumerRunner,
  ConsumerRunnerConfigError,
  DEFAULT_FETCH_MAX_WAIT_MS,
  STOP_DISCONNECT_MIN_MS,
  type ConsumerRunnerOptions,
  type StopOptions,
  type StopReport,
} from './consumer-runner';
export type { UnitOfWork, UnitOfWorkOptions } from './unit-of-work';
export { readRecords, type ReadRecordsOptions, type RecordRange } from './read-records';
