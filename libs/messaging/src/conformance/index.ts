/**
 * `@orderstream/messaging/conformance`: the suite every Kafka client adapter runs against a real broker.
 */
export {};
