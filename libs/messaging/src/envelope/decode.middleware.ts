import { HEADERS } from '../core/envelope';
import type { InboundMessage, Middleware } from '../core/handler';
import type { EnvelopeCodec } from './envelope.codec';
import type { EventRegistry } from './event-registry';

/**
 * Decodes the record into `message.envelope` before the rest of the pipeline runs. Put it inside the
 * failure-handling middleware: its `DecodeError` (bytes that are not a readable event) and `SchemaError` (a
 * readable payload that breaks its contract, such as an order id that is not a UUID) are non-retriable, so
 * such a record goes straight to the dead-letter topic instead of through retries, before any handler sees
 * it. A message that already carries an envelope (decoded by an outer step) is passed on untouched.
 */
export function decodeMiddleware(codec: EnvelopeCodec, definitions: EventRegistry): Middleware {
  return (next) => async (message, context) => {
    if (!message.envelope) message.envelope = await codec.decode(message.record, definitions);
    return next(message, context);
  };
}

/**
 * Lets a consumer group ignore the event types it has no handler for. Topics are per bounded context, so a
 * group routinely sees types it does not care about (inventory reads `orders.events` for OrderCancelled and
 * also receives every OrderPlaced). Such a record is acknowledged without being decoded, without a database
 * transaction and without touching the dead-letter topic. It looks only at the `ce_type` header: a record
 * without one is passed on, so the decode step rejects it as undecodable. Put it outside the failure
 * handling and the effectively-once transaction.
 */
export function skipUnroutedMiddleware(
  definitions: EventRegistry,
  hooks: {
    /** Told of each skipped record, e.g. to count it (`MessagingMetrics.skipped`). It must not throw. */
    onSkipped?: (message: InboundMessage) => void;
  } = {},
): Middleware {
  return (next) => async (message, context) => {
    const type = message.record.headers[HEADERS.type]?.toString();
    if (type !== undefined && type !== '' && !definitions.has(type)) {
      context.logger.debug({ eventType: type }, 'No handler for event type; skipped');
      hooks.onSkipped?.(message);
      return;
    }
    return next(message, context);
  };
}
