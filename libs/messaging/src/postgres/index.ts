/**
 * PostgreSQL side of the messaging core (TypeORM is the only supported ORM for now): the transactional
 * outbox and the inbox with their retention jobs, the effectively-once middleware and their migrations.
 */
export * from './messaging-tables';
export * from './messaging.migrations';
export { CreateMessagingOutbox1764300000000 } from './migrations/1764300000000-create-messaging-outbox';
export { CreateMessagingInbox1764300000001 } from './migrations/1764300000001-create-messaging-inbox';
export * from './outbox-headers';
export * from './outbox.writer';
export * from './inbox.store';
export * from './inbox.retention';
export * from './outbox.retention';
export * from './table-retention';
export * from './effectively-once.middleware';
export * from './postgres.errors';
