import { MessagingError } from '../errors/messaging.error';

/**
 * A subscription that cannot work as described (effectively-once without a database, no routes, no
 * topics, two handlers for one type in one group). Raised at startup, never per message.
 */
export class SubscriptionConfigError extends MessagingError {
  readonly code = 'MESSAGING_SUBSCRIPTION_CONFIG';
  readonly retriable = false;
}
