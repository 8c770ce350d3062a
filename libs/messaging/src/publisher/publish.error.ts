import { innermostRetriable } from '../errors/innermost-retriable';
import { MessagingError } from '../errors/messaging.error';

/**
 * The broker did not take the records of a publish. `retriable` follows the innermost cause that says (a
 * connection loss or a leader election is worth another try; a record too large or a missing ACL is not);
 * a cause that says nothing counts as retriable, as everywhere in the library. `unsentTopics` names the
 * topics of a `publishBatch` whose records were not acknowledged; records of other topics were.
 */
export class PublishError extends MessagingError {
  readonly code = 'MESSAGING_PUBLISH';
  readonly retriable: boolean;

  constructor(
    message: string,
    readonly unsentTopics: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.retriable = innermostRetriable(options.cause) ?? true;
  }
}
