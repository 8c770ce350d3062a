/**
 * `@orderstream/messaging/conformance`: the suite every Kafka client adapter runs against a real broker
 * (see kafka-client.conformance.ts for how an adapter uses it).
 */
export { kafkaClientConformance, type KafkaClientFactory } from './kafka-client.conformance';
