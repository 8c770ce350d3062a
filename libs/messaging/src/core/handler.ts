/**
 * The small vocabulary of the consumer side: a handler turns one message into side effects (or an error),
 * middleware wraps a handler to add one cross-cutting concern, and the runner feeds handlers from Kafka.
 */
import type { Logger } from '../logging/logger';
import type { ConsumedRecord } from '../ports/kafka-client.port';
import type { Envelope } from './envelope';

/** When the consumer group's offset is committed relative to the handler (see docs/messaging.md). */
export type DeliveryGuarantee = 'at-most-once' | 'at-least-once' | 'effectively-once';

/** One record as it reaches a handler pipeline, before and after decoding. */
export interface InboundMessage {
  record: ConsumedRecord;
  /** The consumer group handling it; retry and dead-letter topics are scoped to it. */
  groupId: string;
  /**
   * 1 for the first delivery; counts across retry topics (carried in the `x-attempt` header), so the
   * dead-letter record says how often the message was tried.
   */
  attempt: number;
  /** Set by the decode middleware. */
  envelope?: Envelope;
}

/** Per-message context a handler receives alongside the envelope. */
export interface HandlerContext {
  message: InboundMessage;
  /** A child logger already carrying message id, topic, partition, offset and correlation id. */
  logger: Logger;
  /**
   * The database transaction the handler runs in, under `effectively-once`: do every write through it
   * (including outbox writes), so the side effects, the inbox row and the events commit together.
   * `undefined` under the other guarantees. Typed `unknown` here; the PostgreSQL module narrows it.
   */
  transaction?: unknown;
}

/** The raw pipeline step: everything the runner calls is a MessageHandler. */
export type MessageHandler = (message: InboundMessage, context: HandlerContext) => Promise<void>;

/** One cross-cutting concern as a function from handler to handler. */
export type Middleware = (next: MessageHandler) => MessageHandler;

/** What application code writes: a typed event in, side effects out. */
export type EventHandler<T> = (event: Envelope<T>, context: HandlerContext) => Promise<void>;

/** Composes middleware so the first in the list is the outermost. */
export function compose(middleware: readonly Middleware[], handler: MessageHandler): MessageHandler {
  return middleware.reduceRight((next, wrap) => wrap(next), handler);
}
