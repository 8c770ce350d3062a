import type { ExpectedVersion } from './stream';

/**
 * The stream was not at the version the appender expected: someone appended in between (or the stream
 * exists where it must not). Nothing was appended. Retriable by nature: reload the stream, decide again
 * against the newer state, append with the new version. It is deliberately not one of the messaging
 * library's application errors, so a message handler that lets it through is retried, not dead-lettered.
 */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  readonly retriable = true;

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's version as the store found it, when it could tell. */
    readonly actual: number | undefined,
  ) {
    super(
      `Stream ${streamId}: expected version ${String(expected)}, ` +
        `${actual === undefined ? 'but another append came first' : `found ${actual}`}`,
    );
  }
}

/**
 * A snapshot, an event or a command the aggregate cannot read: stored data that breaks what the code
 * relies on (a snapshot of an unknown newer schema, an event type the evolve function does not know).
 * No retry fixes it.
 */
export class EventStoreDataError extends Error {
  override readonly name = 'EventStoreDataError';
  readonly retriable = false;
}
