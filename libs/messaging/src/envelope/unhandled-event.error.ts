import { MessagingError } from '../errors/messaging.error';

/** A decoded event of a type no route handles, under `unhandled: 'fail'`. Redelivery would not add a handler. */
export class UnhandledEventError extends MessagingError {
  readonly code = 'MESSAGING_UNHANDLED_EVENT';
  readonly retriable = false;
}
