import { MessagingError } from '../errors/messaging.error';

/**
 * Not a failure: thrown by the retry-topic middleware when a record on a retry topic is not due yet. The
 * runner then pauses only that partition, seeks back to this record and resumes it at `dueAt`, so the
 * consumer never sleeps and other partitions keep flowing. The record is not committed.
 */
export class DeferredDelivery extends MessagingError {
  readonly code = 'MESSAGING_DEFERRED';
  readonly retriable = true;

  constructor(readonly dueAt: number) {
    super(`Not due until ${new Date(dueAt).toISOString()}`);
  }
}
