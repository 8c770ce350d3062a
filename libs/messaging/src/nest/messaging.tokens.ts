/** Injection tokens of the messaging module (classes such as `Publisher` are their own tokens). */

/** The resolved `MessagingModuleOptions`. */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** The `KafkaClient` the module consumes and publishes with. */
export const MESSAGING_KAFKA_CLIENT = Symbol('MESSAGING_KAFKA_CLIENT');
