export { AuditLog, type Actor, type AuditChannel, type AuditEntry, type AuditRecord } from './audit-log';
export {
  DeadLetterDesk,
  type DeadLetterDeskOptions,
  type DeadLetterStatus,
  type DeskListing,
  type DeskRedriveReport,
  type ListedDeadLetter,
  type RedriveJob,
  type RedriveRequest,
  type ShownDeadLetter,
} from './dead-letter-desk';
export { groupStandings, isToolingGroup, type GroupStanding } from './group-overview';
export {
  describeWithLagSeconds,
  type DescribedGroup,
  type DescribedPartition,
} from './group-lag/describe-with-lag-seconds';
export {
  lagSeconds,
  NEXT_RECORD_WINDOW,
  nextRecordRanges,
  type LagSecondsFrom,
  type PartitionLagSeconds,
} from './group-lag/lag-seconds';
export { OPERATIONS_MIGRATIONS, operationsDataSourceOptions } from './operations-data-source.options';
export { CreateOperations1765900000000 } from './migrations/1765900000000-create-operations';
export { registryDecoder } from './registry-decoder';
