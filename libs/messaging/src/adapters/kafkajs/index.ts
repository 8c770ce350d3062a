/**
 * `@orderstream/messaging/kafkajs`: the Kafka client port implemented on kafkajs. The only place in the
 * workspace that imports kafkajs; the core (`@orderstream/messaging`) depends on the port alone.
 */
export { createKafkaJsClient, type KafkaJsClientConfig } from './kafkajs-client';
