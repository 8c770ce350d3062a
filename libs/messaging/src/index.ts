/**
 * Public API of @orderstream/messaging. Anything not exported here is internal.
 */
export * from './errors/messaging.error';
export * from './logging/logger';
export * from './ports/kafka-client.port';
export * from './codec/avro-codec';
export { createKafkaJsClient, type KafkaJsClientConfig } from './adapters/kafkajs/kafkajs-client';
