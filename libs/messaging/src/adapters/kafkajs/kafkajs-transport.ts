/**
 * How the kafkajs adapter reports a failed kafkajs call: as a retriable `TransportError` that names the
 * operation, so callers above the port never see a kafkajs error class.
 */
import { MessagingError, ProducerFencedError, TransportError } from '../../errors/messaging.error';

/** The broker's answers that mean another producer took over the transactional id. */
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

/** Whether a kafkajs error, or one it wraps, is the broker fencing the producer. */
function isFenced(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined; e;) {
    if (typeof e.type === 'string' && FENCED.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

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
    if (isFenced(error))
      throw new ProducerFencedError(`Kafka ${operation} failed: ${(error as Error).message}`, {
        cause: error,
      });
    throw new TransportError(`Kafka ${operation} failed: ${(error as Error).message}`, { cause: error });
  }
}
