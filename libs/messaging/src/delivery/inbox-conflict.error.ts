import { MessagingError } from '../errors/messaging.error';

/**
 * A batch's inbox records collided with records another consumer committed while the batch ran (a
 * rebalance handed the partition over mid-batch). Nothing of the batch committed; delivering its messages
 * again finds them recorded, so it is retriable.
 */
export class InboxConflictError extends MessagingError {
  readonly code = 'MESSAGING_INBOX_CONFLICT';
  readonly retriable = true;

  constructor(
    readonly groupId: string,
    readonly messageIds: readonly string[],
  ) {
    super(
      `Consumer group "${groupId}" found ${messageIds.length} message(s) of its batch recorded by another consumer meanwhile: ${messageIds.slice(0, 5).join(', ')}`,
    );
  }
}
