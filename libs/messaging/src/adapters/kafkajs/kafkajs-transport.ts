/**
 * How the kafkajs adapter reports a failed kafkajs call: as a retriable `TransportError` that names the
 * operation, so callers above the port never see a kafkajs error class.
 */
import { TransportError } from '../../errors/messaging.error';

/** Runs a kafkajs call and rethrows its failure as a retriable transport error that names the operation. */
export async function transport<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new TransportError(`Kafka ${operation} failed: ${(error as Error).message}`, { cause: error });
  }
}
