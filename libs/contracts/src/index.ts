/**
 * Public API of @orderstream/contracts: event schemas (Avro), their TypeScript types and topics, per
 * bounded context. Plain TypeScript only: no framework imports (enforced by lint).
 */
export * from './topics';
