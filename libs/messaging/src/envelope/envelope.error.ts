import { MessagingError } from '../errors/messaging.error';

/**
 * An event that cannot be put into an envelope as asked: an empty source or key, a malformed traceparent.
 * A programming or configuration mistake on the producing side, so retrying never helps.
 */
export class InvalidEnvelopeError extends MessagingError {
  readonly code = 'MESSAGING_INVALID_ENVELOPE';
  readonly retriable = false;
}
