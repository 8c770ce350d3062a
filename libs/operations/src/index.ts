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
export { groupStandings, isToolingGroup, type GroupStanding, type PartitionStanding } from './group-overview';
export { OPERATIONS_MIGRATIONS, operationsDataSourceOptions } from './operations-data-source.options';
export { CreateOperations1765900000000 } from './migrations/1765900000000-create-operations';
