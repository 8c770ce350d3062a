/**
 * `@orderstream/messaging/postgres`: the PostgreSQL side of the messaging core (TypeORM and pg; TypeORM is
 * the only supported ORM for now): the transactional outbox (writer, and the relay's reading and publishing
 * loop), the inbox port's adapter and effectively-once, their migrations and retention jobs.
 */
export * from './messaging-tables';
export * from './messaging.migrations';
export { CreateMessagingOutbox1764300000000 } from './migrations/1764300000000-create-messaging-outbox';
export { CreateMessagingInbox1764300000001 } from './migrations/1764300000001-create-messaging-inbox';
export * from './outbox-headers';
export * from './outbox.writer';
export * from './inbox.store';
export * from './postgres.inbox';
export * from './inbox.retention';
export * from './outbox.retention';
export * from './table-retention';
export * from './effectively-once.middleware';
export * from './postgres.errors';
export * from './postgres-error.classifier';
export {
  SourceRelay,
  type SourceRelayOptions,
  type SourceRelayRole,
  type SourceRelayStatus,
} from './relay/source-relay';
export { RelayMetrics } from './relay/relay-metrics';
export * from './saga';
