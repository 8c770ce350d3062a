/**
 * Public API of @orderstream/contracts: event schemas (Avro), their TypeScript types and topics, per
 * bounded context. Plain TypeScript only: no framework imports (enforced by lint).
 */
export * from './topics';
export * from './event-contract';
// The orchestrated saga's commands (the events' exports follow, one per context, then all-events).
export * from './payments.commands';
export * from './inventory.commands';
export * from './orders.events';
export * from './payments.events';
export * from './inventory.events';
export * from './notifications.events';
export * from './sales-analytics.events';
export * from './all-events';
