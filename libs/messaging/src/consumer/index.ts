export {
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type StopOptions,
  type StopReport,
} from './consumer-runner';
