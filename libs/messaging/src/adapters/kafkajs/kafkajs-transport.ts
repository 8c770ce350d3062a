/**
 * How the kafkajs adapter reports a failed kafkajs call: as a retriable `TransportError` that names the
 * operation, so callers above the port never see a kafkajs error class.
 */
import { MessagingError, TransportError } from '../../errors/messaging.error';

/**
 * Runs a kafkajs call and rethrows its failure as a retriable transport error that names the operation; an
 * error of the library's own that the call threw passes through.
 */
export async function transport<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // The adapter's own verdict inside the call (a NotFoundError for a missing topic) stands as it is.
    if (error instanceof MessagingError) throw error;
    throw new TransportError(`Kafka ${operation} failed: ${(error as Error).message}`, { cause: error });
  }
}
