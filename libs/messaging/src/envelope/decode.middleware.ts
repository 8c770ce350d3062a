import type { Middleware } from '../core/handler';
import type { EnvelopeCodec } from './envelope.codec';
import type { EventRegistry } from './event-registry';

/**
 * Decodes the record into `message.envelope` before the rest of the pipeline runs. Put it inside the
 * failure-handling middleware: its `DecodeError` is non-retriable, so an undecodable record goes straight to
 * the dead-letter topic instead of through retries. A message that already carries an envelope (decoded by
 * an outer step) is passed on untouched.
 */
export function decodeMiddleware(codec: EnvelopeCodec, definitions: EventRegistry): Middleware {
  return (next) => async (message, context) => {
    if (!message.envelope) message.envelope = await codec.decode(message.record, definitions);
    return next(message, context);
  };
}
