/**
 * `@orderstream/event-store`: the event store's vocabulary, errors and aggregate helpers. Framework-free:
 * no ORM, no database driver, no Nest. The PostgreSQL store is `@orderstream/event-store/postgres`.
 */
export * from './core/stream';
export * from './core/errors';
export * from './core/decider';
export * from './core/testing';
