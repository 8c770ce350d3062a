import { MessagingError } from '../errors/messaging.error';

/**
 * A subscription's source topics did not all exist within `topicWaitTimeoutMs`, so it did not start.
 * Raised at startup, never per message. Retriable: the topics may still be created (by the service that
 * owns them, or by the infrastructure), and a supervisor restarting the service is that retry. A misspelt
 * topic name looks the same from here, which is why the message names the topics.
 */
export class SourceTopicsMissingError extends MessagingError {
  readonly code = 'MESSAGING_SOURCE_TOPICS_MISSING';
  readonly retriable = true;

  constructor(
    readonly groupId: string,
    readonly missingTopics: readonly string[],
    readonly timeoutMs: number,
    options: { cause?: unknown } = {},
  ) {
    const lastError = options.cause instanceof Error ? `; last error: ${options.cause.message}` : '';
    super(
      `Consumer group "${groupId}" gave up after ${timeoutMs} ms waiting for its source topics to exist: ` +
        `${missingTopics.join(', ')} (source topics are never auto-created: create them with the ` +
        `infrastructure or the service that owns them)${lastError}`,
      options,
    );
  }
}
